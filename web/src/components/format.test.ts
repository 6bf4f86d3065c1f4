import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatDuration, formatMs, stateLabel } from "./format";

describe("format", () => {
  it("formats durations", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(7.9)).toBe("0:07");
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(-3)).toBe("0:00");
    expect(formatDuration(NaN)).toBe("0:00");
    expect(formatDuration(Infinity)).toBe("0:00");
  });
  it("formats ages relative to now", () => {
    const now = Date.parse("2026-11-29T12:00:00Z");
    expect(formatAge("2026-11-29T11:59:50Z", now)).toBe("just now");
    expect(formatAge("2026-11-29T11:55:00Z", now)).toBe("5 min ago");
    expect(formatAge("2026-11-29T09:00:00Z", now)).toBe("3 h ago");
    expect(formatAge("2026-11-27T12:00:00Z", now)).toBe("2 d ago");
    expect(formatAge("garbage", now)).toBe("");
  });
  it("formats ms, bytes and states", () => {
    expect(formatMs(850)).toBe("850 ms");
    expect(formatMs(12345)).toBe("12.3 s");
    expect(formatMs(-1)).toBe("–");
    expect(formatBytes(2048)).toBe("2.0 KiB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
    expect(stateLabel("rendering_preview")).toBe("rendering preview");
  });
});
