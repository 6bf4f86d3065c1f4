// What other features may use of Verse (eslint keeps them to this file): the create form's world picker.
export { worldFields, WorldPicker, type WorldChoice } from "./WorldPicker";
