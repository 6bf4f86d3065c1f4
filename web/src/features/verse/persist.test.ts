import { beforeEach, describe, expect, it } from "vitest";
import { loadEditorState, persistKey, saveEditorState } from "./persist";

describe("editor state per world", () => {
  beforeEach(() => localStorage.clear());

  it("keeps camera, selection and panel per world and merges updates", () => {
    saveEditorState(7, { camera: { position: [1, 2, 3], target: [0, 1, 0] } });
    saveEditorState(7, { selected: "box-1" });
    saveEditorState(7, { panel: "history" });
    saveEditorState(8, { panel: "world" });
    expect(loadEditorState(7)).toEqual({ camera: { position: [1, 2, 3], target: [0, 1, 0] }, selected: "box-1", panel: "history" });
    expect(loadEditorState(8)).toEqual({ panel: "world" });
    expect(loadEditorState(9)).toEqual({});
  });

  it("drops what is broken or unknown instead of restoring it", () => {
    localStorage.setItem(persistKey(1), "{not json");
    expect(loadEditorState(1)).toEqual({});
    localStorage.setItem(persistKey(2), JSON.stringify({ camera: { position: [1, "x", 3], target: [0, 0, 0] }, selected: 5, panel: "scripts" }));
    expect(loadEditorState(2)).toEqual({});
    localStorage.setItem(persistKey(3), JSON.stringify({ camera: { position: [1, 2, 1e9], target: [0, 0, 0] }, selected: null }));
    expect(loadEditorState(3)).toEqual({ selected: null });
  });
});
