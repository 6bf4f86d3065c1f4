import { describe, expect, it } from "vitest";
import type { JobLogLine } from "../../api/types";
import { collectScenes, findScript, stageTimings } from "./stages";

describe("collectScenes", () => {
  it("merges the script with per-scene pictures and voices from other stages", () => {
    const stages = {
      script: { script: { title: "Harbour", description: "d", scenes: [
        { id: 1, description: "Boats at dawn", lines: ["Morning."], duration: 3.5 },
        { id: 2, description: "Storm", lines: ["Here it comes."], duration: 3.5 },
      ] } },
      pictures: { scenes: [{ scene: 2, picture_url: "/media/jobs/1/scenes/2/picture.png" }, { scene: 1, picture_url: "/media/jobs/1/scenes/1/picture.png" }] },
      voice: { items: [{ n: 1, voice_url: "/media/jobs/1/scenes/1/voice.wav" }] },
    };
    const s = collectScenes(stages);
    expect(s.map((x) => x.n)).toEqual([1, 2]);
    expect(s[0]).toMatchObject({ description: "Boats at dawn", lines: ["Morning."], pictureUrl: "/media/jobs/1/scenes/1/picture.png", voiceUrl: "/media/jobs/1/scenes/1/voice.wav" });
    expect(s[1].pictureUrl).toBe("/media/jobs/1/scenes/2/picture.png");
    expect(findScript(stages)).toEqual({ title: "Harbour", description: "d" });
  });
  it("ignores unknown shapes and hostile values", () => {
    expect(collectScenes(undefined)).toEqual([]);
    expect(collectScenes({ a: null, b: 3, c: "x", d: { scenes: "nope" }, e: { scenes: [null, 5, { lines: [1, "ok"] }] } })).toEqual([
      { n: 3, description: "", lines: ["ok"] },
    ]);
    expect(findScript({ x: { y: 1 } })).toBeNull();
  });
});

describe("stageTimings", () => {
  it("uses recorded timings, else the span of a stage's log lines", () => {
    const logs: JobLogLine[] = [
      { id: 1, job_id: 1, at: "2026-01-01T00:00:00.000Z", stage: "script", level: "info", message: "" },
      { id: 2, job_id: 1, at: "2026-01-01T00:00:01.250Z", stage: "script", level: "info", message: "" },
      { id: 3, job_id: 1, at: "2026-01-01T00:00:02.000Z", stage: "preview", level: "cmd", message: "" },
      { id: 4, job_id: 1, at: "2026-01-01T00:00:05.000Z", stage: "preview", level: "info", message: "" },
    ];
    const t = stageTimings(logs, { preview: { elapsed_ms: 2800 }, final: { seconds: 4 } }, "rendering_final");
    expect(t).toEqual([
      { stage: "script", ms: 1250, running: false },
      { stage: "preview", ms: 2800, running: false },
      { stage: "final", ms: 4000, running: false },
    ]);
  });
});

describe("regenerated scenes", () => {
  it("show the user's edits (scene_edits) over the script's original text, whatever the stage order", () => {
    const scenes = collectScenes({
      scene_edits: { "2": { lines: ["A new line."], seed: 7 }, "1": { description: "Now at dusk" } },
      script: { script: { scenes: [{ description: "At noon", lines: ["Old one."] }, { description: "Storm", lines: ["Old two."] }] } },
    });
    expect(scenes.map((s) => [s.n, s.description, s.lines])).toEqual([[1, "Now at dusk", ["Old one."]], [2, "Storm", ["A new line."]]]);
  });
});
