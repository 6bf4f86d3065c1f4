// What other features may use of the wiki fact cards (eslint keeps them to this file).
export { EntityPanel } from "./EntityPanel";
export { FactChips, playerVideo } from "./FactChips";
