import { describe, expect, it } from "vitest";
import { captionTracks, CAPTIONS_KEY, DEFAULT_CAPTIONS, loadCaptionSettings, saveCaptionSettings } from "./captions";
import { chapterAt, parseChapters, parseVttTime } from "./chapters";
import { parseAttributes, parseMasterAudio } from "./hlsMaster";
import { loadPosition, savePosition } from "./position";

function memStore() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    raw: m,
  };
}

describe("caption settings", () => {
  it("round-trips through storage", () => {
    const s = memStore();
    saveCaptionSettings({ enabled: false, size: "xlarge", style: "high-contrast", language: "es" }, s);
    expect(loadCaptionSettings(s)).toEqual({ enabled: false, size: "xlarge", style: "high-contrast", language: "es" });
  });
  it("defaults when nothing is stored", () => {
    expect(loadCaptionSettings(memStore())).toEqual(DEFAULT_CAPTIONS);
  });
  it("repairs corrupt or hostile stored values field by field", () => {
    const s = memStore();
    s.setItem(CAPTIONS_KEY, '{"enabled":"yes","size":"huge","style":"high-contrast","language":"<script>"}');
    expect(loadCaptionSettings(s)).toEqual({ ...DEFAULT_CAPTIONS, style: "high-contrast" });
    s.setItem(CAPTIONS_KEY, "{not json");
    expect(loadCaptionSettings(s)).toEqual(DEFAULT_CAPTIONS);
    s.setItem(CAPTIONS_KEY, "[1,2]");
    expect(loadCaptionSettings(s)).toEqual(DEFAULT_CAPTIONS);
  });
  it("survives a storage that throws", () => {
    const writes: [string, string][] = [];
    const broken = {
      getItem: () => { throw new Error("denied"); },
      setItem: (k: string, v: string) => { writes.push([k, v]); throw new Error("full"); },
    };
    expect(loadCaptionSettings(broken)).toEqual(DEFAULT_CAPTIONS);
    const wanted = { enabled: false, size: "large", style: "light", language: "fr" } as const;
    expect(() => saveCaptionSettings(wanted, broken)).not.toThrow();
    // It did try to store the settings, under its key, as JSON that reads back the same.
    expect(writes).toHaveLength(1);
    expect(writes[0][0]).toBe(CAPTIONS_KEY);
    expect(JSON.parse(writes[0][1])).toEqual(wanted);
  });
  it("derives one caption file per language", () => {
    expect(captionTracks("/media/library/3/captions_en.vtt", ["en", "es"])).toEqual([
      { lang: "en", url: "/media/library/3/captions_en.vtt" },
      { lang: "es", url: "/media/library/3/captions_es.vtt" },
    ]);
    expect(captionTracks("/media/x/subs.vtt", ["en"])).toEqual([{ lang: "en", url: "/media/x/subs.vtt" }]);
    expect(captionTracks("", ["en"])).toEqual([]);
  });
});

describe("chapters", () => {
  const vtt = `WEBVTT

1
00:00:00.000 --> 00:00:03.500
Scene 1: The <b>harbour</b>

2
00:00:03.500 --> 00:00:07.000 align:start
Scene 2: Storm
rolls in

bad
00:00:09.000 --> 00:00:08.000
Backwards cue

00:07.000 --> 01:00:00.000
Long tail
`;
  it("parses cues into sorted chapters with plain-text titles", () => {
    expect(parseChapters(vtt)).toEqual([
      { start: 0, end: 3.5, title: "Scene 1: The harbour" },
      { start: 3.5, end: 7, title: "Scene 2: Storm rolls in" },
      { start: 7, end: 3600, title: "Long tail" },
    ]);
  });
  it("handles CRLF and BOM, rejects non-WebVTT", () => {
    expect(parseChapters("\uFEFFWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nA\r\n")).toEqual([{ start: 1, end: 2, title: "A" }]);
    expect(parseChapters("1\n00:00:01.000 --> 00:00:02.000\nA")).toEqual([]);
    expect(parseChapters("")).toEqual([]);
  });
  it("parses timestamps strictly", () => {
    expect(parseVttTime("01:02:03.5")).toBeCloseTo(3723.5);
    expect(parseVttTime("02:03.040")).toBeCloseTo(123.04);
    expect(parseVttTime("1:99:00.000")).toBeNaN();
    expect(parseVttTime("abc")).toBeNaN();
  });
  it("finds the chapter at a time", () => {
    const ch = parseChapters(vtt);
    expect(chapterAt(ch, 0)).toBe(0);
    expect(chapterAt(ch, 3.6)).toBe(1);
    expect(chapterAt(ch, 100)).toBe(2);
    expect(chapterAt([], 1)).toBe(-1);
  });
});

describe("HLS master audio", () => {
  const master = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio_en/index.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Español, doblaje",LANGUAGE="es",DEFAULT=NO,URI="audio_es/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs_en/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS="avc1.640028,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
video/index.m3u8
`;
  it("lists the audio renditions, with quoted commas intact", () => {
    expect(parseMasterAudio(master)).toEqual([
      { groupId: "aud", name: "English", language: "en", isDefault: true, uri: "audio_en/index.m3u8" },
      { groupId: "aud", name: "Español, doblaje", language: "es", isDefault: false, uri: "audio_es/index.m3u8" },
    ]);
  });
  it("parses attribute lists", () => {
    expect(parseAttributes('BANDWIDTH=1,CODECS="a,b",X=Y')).toEqual({ BANDWIDTH: "1", CODECS: "a,b", X: "Y" });
    expect(parseMasterAudio("garbage")).toEqual([]);
  });
});

describe("continue watching", () => {
  it("saves mid-way positions and forgets ones near the start or end", () => {
    const s = memStore();
    savePosition(4, 12.34, 60, s);
    expect(loadPosition(4, s)).toBeCloseTo(12.3);
    savePosition(4, 58.5, 60, s);
    expect(loadPosition(4, s)).toBe(0);
    savePosition(4, 1, 60, s);
    expect(loadPosition(4, s)).toBe(0);
    s.setItem("beacon.pos.5", "NaN");
    expect(loadPosition(5, s)).toBe(0);
  });
});
