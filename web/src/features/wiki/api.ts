import { api } from "../../api/client";

/** A fact card's data (GET /api/v1/wiki, /content/{id}/facts, /content/{id}/entities). */
export interface WikiFact {
  entity: string;
  title: string;
  summary: string;
  image_url: string;
  source_url: string;
  source: "kiwix" | "wikipedia" | string;
  resolved: boolean;
  ambiguous: boolean;
  candidates: { title: string; text: string }[];
}

/** One mention of an entity: where in the item it is spoken, and its fact. */
export interface FactMention {
  entity: string;
  type: string;
  start: number;
  end: number;
  fact: WikiFact;
}

export interface WikiEntity {
  name: string;
  type: string;
  added_by: "extractor" | "user";
  spans: { start: number; end: number }[];
  fact: WikiFact | null;
}

export const wikiKeys = {
  facts: (id: number) => ["wiki", "facts", id] as const,
  entities: (id: number) => ["wiki", "entities", id] as const,
};

export const wikiApi = {
  facts: (id: number) => api.request<{ items: FactMention[] }>("GET", `/content/${id}/facts`),
  entities: (id: number) =>
    api.request<{ items: WikiEntity[]; source: string | null }>("GET", `/content/${id}/entities`),
  addEntity: (id: number, name: string, type?: string) =>
    api.request<WikiEntity>("POST", `/content/${id}/entities`, type ? { name, type } : { name }),
  removeEntity: (id: number, name: string) =>
    api.request<void>("DELETE", `/content/${id}/entities/${encodeURIComponent(name)}`),
};

/** "from Kiwix (offline)" / "from Wikipedia". */
export function provenance(source: string): string {
  return source === "kiwix" ? "from Kiwix (offline)" : source === "wikipedia" ? "from Wikipedia" : "";
}
