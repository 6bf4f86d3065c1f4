// What other features may use of moderation (eslint keeps them to this file).
export { FlagButton } from "./FlagButton";
