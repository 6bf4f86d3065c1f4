import { useEffect } from "react";

/** Page titles per route (pages with a name of their own, like an item, set theirs). */
export function routeTitle(path: string): string {
  const first = path.split("/")[1] ?? "";
  const names: Record<string, string> = { create: "Create", jobs: "Jobs", library: "Library", watch: "Watch", live: "LiveLoop", settings: "Settings", batches: "Batches", arcade: "Arcade", verse: "Verse", party: "Watch party", dashboard: "Dashboard", review: "Review" };
  return names[first] ?? (first ? "Not found" : "Create");
}

/** Sets the document title ("<page> · Beacon"). */
export function useTitle(title: string | undefined) {
  useEffect(() => {
    if (title) document.title = `${title} · Beacon`;
  }, [title]);
}
