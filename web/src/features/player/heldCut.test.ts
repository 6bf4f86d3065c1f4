import { describe, expect, it } from "vitest";
import { heldCutsOf, heldTime, sourceTime } from "./heldCut";

const holds = [{ at: 4, seconds: 0.52 }, { at: 9, seconds: 0.2 }];

describe("held cut timeline", () => {
  it("moves times at or after a hold later by it", () => {
    expect(heldTime(holds, 3.9)).toBeCloseTo(3.9);
    expect(heldTime(holds, 4)).toBeCloseTo(4.52);
    expect(heldTime(holds, 10)).toBeCloseTo(10.72);
  });
  it("maps back, a time inside a hold to the hold's point", () => {
    for (const t of [0, 3.9, 4, 6, 9, 12]) expect(sourceTime(holds, heldTime(holds, t))).toBeCloseTo(t);
    expect(sourceTime(holds, 4.2)).toBe(4);
    expect(sourceTime(holds, 9.6)).toBe(9);
  });
  it("reads held cuts from language_tracks and ignores anything else", () => {
    const cuts = heldCutsOf([
      { language: "en", original: true },
      { language: "es", name: "Español", held: { hls_url: "/media/library/3/hls/held_es/master.m3u8", mp4_url: "/media/library/3/video_es.mp4", captions_url: "/media/library/3/captions_es_held.vtt", holds: [{ at: 4, seconds: 0.52 }, { at: "x" }] } },
      { language: "fr", held: { hls_url: "https://evil.example/x.m3u8" } },
      null,
    ]);
    expect(cuts).toEqual([{ lang: "es", name: "Español", url: "/media/library/3/hls/held_es/master.m3u8", mp4: "/media/library/3/video_es.mp4", captions: "/media/library/3/captions_es_held.vtt", holds: [{ at: 4, seconds: 0.52 }] }]);
    expect(heldCutsOf(undefined)).toEqual([]);
  });
});
