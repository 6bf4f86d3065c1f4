import { api } from "../../api/client";
import type { components } from "../../api/schema";
import type { Answer } from "../../api/types";

/** A fact card's data (GET /api/v1/wiki, /content/{id}/facts, /content/{id}/entities). */
export type WikiFact = components["schemas"]["WikiFact"];

/** One mention of an entity: where in the item it is spoken, and its fact. */
export type FactMention = Answer<"/api/v1/content/{id}/facts", "get">["items"][number];

export type WikiEntity = components["schemas"]["WikiEntity"];

export const wikiKeys = {
  facts: (id: number) => ["wiki", "facts", id] as const,
  entities: (id: number) => ["wiki", "entities", id] as const,
};

export const wikiApi = {
  facts: (id: number) => api.ok(api.http.GET("/api/v1/content/{id}/facts", { params: { path: { id } } })),
  entities: (id: number) => api.ok(api.http.GET("/api/v1/content/{id}/entities", { params: { path: { id } } })),
  addEntity: (id: number, name: string, type?: string) =>
    api.ok(api.http.POST("/api/v1/content/{id}/entities", { params: { path: { id } }, body: type ? { name, type } : { name } })),
  removeEntity: (id: number, name: string) =>
    api.ok(api.http.DELETE("/api/v1/content/{id}/entities/{name}", { params: { path: { id, name } } })),
};

/** "from Kiwix (offline)" / "from Wikipedia". */
export function provenance(source: string): string {
  return source === "kiwix" ? "from Kiwix (offline)" : source === "wikipedia" ? "from Wikipedia" : "";
}
