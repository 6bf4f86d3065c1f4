import { describe, expect, it } from "vitest";
import { seekStep, shortChapterTitle } from "./Player";

describe("seek slider keys", () => {
  it("steps 5 s with arrows like the page shortcut, 10 % with Page Up/Down, ends with Home/End", () => {
    expect(seekStep("ArrowRight", 10, 60)).toBe(15);
    expect(seekStep("ArrowUp", 10, 60)).toBe(15);
    expect(seekStep("ArrowLeft", 10, 60)).toBe(5);
    expect(seekStep("ArrowDown", 3, 60)).toBe(0);
    expect(seekStep("ArrowRight", 58, 60)).toBe(60);
    expect(seekStep("PageUp", 10, 60)).toBe(16);
    expect(seekStep("PageDown", 10, 60)).toBe(4);
    expect(seekStep("Home", 10, 60)).toBe(0);
    expect(seekStep("End", 10, 60)).toBe(60);
    expect(seekStep("a", 10, 60)).toBeNull();
  });
});

describe("chapter titles in the bar", () => {
  it("keeps the short scene name before a colon", () => {
    expect(shortChapterTitle("Scene 2: The storm rolls over the harbour and the keeper climbs")).toBe("Scene 2");
  });
  it("cuts long titles at a word, with an ellipsis", () => {
    const t = shortChapterTitle("Wide establishing shot of the harbour at night with a keeper");
    expect(t).toBe("Wide establishing shot of…");
    expect(t.length).toBeLessThanOrEqual(29);
    expect(shortChapterTitle("Harbour")).toBe("Harbour");
  });
});
