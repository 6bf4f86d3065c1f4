// What other features may use of the player (eslint keeps them to this file).
export { CAPTION_SIZES, CAPTION_STYLES, loadCaptionSettings, saveCaptionSettings, type CaptionSettings } from "./captions";
