import { describe, expect, it } from "vitest";
import { parseBatchText, splitCsvLine } from "./parse";

describe("parseBatchText", () => {
  it("reads one prompt per line, skipping blanks and comments", () => {
    const r = parseBatchText("# my list\nA red kite\n\n  A lantern in fog  \r\n");
    expect(r.format).toBe("text");
    expect(r.errors).toEqual([]);
    expect(r.items).toEqual([{ prompt: "A red kite" }, { prompt: "A lantern in fog" }]);
  });

  it("reads JSON Lines with fields and names the bad line", () => {
    const r = parseBatchText('{"prompt":"A","title":"T","duration_target":5}\n{"prompt":""}\n{oops\n{"prompt":"B","style":3}');
    expect(r.format).toBe("jsonl");
    expect(r.items).toEqual([{ prompt: "A", title: "T", duration_target: 5 }]);
    expect(r.errors).toEqual(["line 2: no prompt", "line 3: malformed JSON", "line 4: style must be text"]);
  });

  it("reads CSV with a prompt column and quoted commas", () => {
    const r = parseBatchText('title,prompt,duration_target\nOne,"A kite, red",4\nTwo,A boat,\n', "list.csv");
    expect(r.format).toBe("csv");
    expect(r.errors).toEqual([]);
    expect(r.items).toEqual([{ prompt: "A kite, red", title: "One", duration_target: 4 }, { prompt: "A boat", title: "Two" }]);
  });

  it("refuses a CSV without a prompt column and a negative duration", () => {
    expect(parseBatchText("title,text\nA,b", "x.csv").errors[0]).toMatch(/prompt/);
    expect(parseBatchText("prompt,duration_target\nA,-3").errors).toEqual(["line 2: duration_target must be a positive number"]);
  });

  it("names a line whose output preset the contract does not know", () => {
    const r = parseBatchText('{"prompt":"A","output_preset":"1080p"}\n{"prompt":"B","output_preset":"4k"}');
    expect(r.items).toEqual([{ prompt: "A", output_preset: "1080p" }]);
    expect(r.errors).toEqual(["line 2: output_preset must be 480p, 720p, 1080p"]);
  });

  it("says when a batch is too large", () => {
    const r = parseBatchText(Array.from({ length: 501 }, (_, i) => `prompt ${i}`).join("\n"));
    expect(r.errors[0]).toMatch(/at most 500/);
  });

  it("splits CSV records with doubled quotes", () => {
    expect(splitCsvLine('a,"b ""c"", d",e')).toEqual(["a", 'b "c", d', "e"]);
  });
});
