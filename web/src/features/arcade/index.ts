// What other features may use of the Arcade (eslint keeps them to this file).
export { installGameRelay, postToGame } from "./pip";
