// What other features may use of the watch party (eslint keeps them to this file).
export { partyApi } from "./api";
export { documentPipSupported } from "./pip";
export { WatchTogetherButton } from "./WatchTogether";
