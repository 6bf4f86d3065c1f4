import { describe, expect, it } from "vitest";
import type { FactMention, WikiFact } from "./api";
import { activeFacts } from "./facts";

const fact = (title: string, over: Partial<WikiFact> = {}): WikiFact => ({
  entity: title, title, summary: `${title} is a thing.`, image_url: "", source_url: `/wiki/${title}`,
  source: "kiwix", resolved: true, ambiguous: false, candidates: [], ...over,
});
const m = (entity: string, start: number, end: number, f = fact(entity)): FactMention =>
  ({ entity, type: "", start, end, fact: f });

describe("activeFacts", () => {
  const items = [
    m("Eddystone Lighthouse", 0.5, 3.5),
    m("Cornwall", 0.5, 3.5, fact("Cornwall", { resolved: false, title: "" })),
    m("Mercury", 2, 4, fact("Mercury", { resolved: false, ambiguous: true })),
    m("Eddystone Lighthouse", 4.5, 7.2),
    m("Planet", 5, 6),
  ];
  it("offers resolved facts whose span holds the time, never unresolved or ambiguous ones", () => {
    expect(activeFacts(items, 1).map((x) => x.entity)).toEqual(["Eddystone Lighthouse"]);
    expect(activeFacts(items, 3).map((x) => x.entity)).toEqual(["Eddystone Lighthouse"]);
  });
  it("keeps a chip a moment after its span and shows each article once", () => {
    expect(activeFacts(items, 4.6, 1.5).map((x) => x.entity)).toEqual(["Eddystone Lighthouse"]);
    expect(activeFacts(items, 5.5).map((x) => x.entity)).toEqual(["Eddystone Lighthouse", "Planet"]);
  });
  it("offers nothing outside every span", () => {
    expect(activeFacts(items, 0.2)).toEqual([]);
    expect(activeFacts(items, 20)).toEqual([]);
  });
});
