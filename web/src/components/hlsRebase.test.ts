import { describe, expect, it } from "vitest";
import { rebaseDiscontinuitySequence, type RebaseState } from "./hlsRebase";

const pl = (msn: number, dsn: number) =>
  `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:${msn}\n#EXT-X-DISCONTINUITY-SEQUENCE:${dsn}\n#EXTINF:4.000,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:4.000,\nb.ts\n`;

describe("rebaseDiscontinuitySequence", () => {
  it("makes the first seen DSN zero and shifts later playlists and renditions alike", () => {
    const s: RebaseState = { base: null };
    expect(rebaseDiscontinuitySequence(pl(1795936717, 1795936700), s)).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:0\n");
    const audio = rebaseDiscontinuitySequence(pl(1795936717, 1795936700), s);
    expect(audio).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:0\n");
    const later = rebaseDiscontinuitySequence(pl(1795936720, 1795936702), s);
    expect(later).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:2\n");
    expect(later).toContain("#EXT-X-MEDIA-SEQUENCE:1795936720\n");
    expect(later).toContain("#EXT-X-DISCONTINUITY\n");
  });
  it("leaves playlists without the tag (VOD, masters) untouched", () => {
    const s: RebaseState = { base: null };
    const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nvideo.m3u8\n';
    expect(rebaseDiscontinuitySequence(master, s)).toBe(master);
    expect(s.base).toBeNull();
  });
  it("never goes negative and ignores unsafe numbers", () => {
    const s: RebaseState = { base: null };
    rebaseDiscontinuitySequence(pl(10, 50), s);
    expect(rebaseDiscontinuitySequence(pl(11, 40), s)).toContain("DISCONTINUITY-SEQUENCE:0\n");
    const huge = pl(1, 0).replace("SEQUENCE:0", "SEQUENCE:99999999999999999999");
    expect(rebaseDiscontinuitySequence(huge, { base: null })).toBe(huge);
  });
});
