/**
 * Held cuts: a dubbed language whose lines did not fit the picture at 1.1x speech has its own
 * timeline where the picture holds while a long line finishes (languages.json `held`, served as
 * its own HLS master). The player plays that master for the language and maps the playhead
 * between the item's timeline and the held one.
 */
export interface Hold {
  at: number; // seconds on the item's own timeline
  seconds: number;
}
export interface HeldCut {
  lang: string;
  name: string;
  url: string; // the held cut's HLS master
  mp4: string; // its MP4 download
  captions: string; // its captions, timed to the held dub ("" when none)
  holds: Hold[];
}

/** Item time → held time: every hold at or before `t` added. */
export function heldTime(holds: Hold[], t: number): number {
  let shift = 0;
  for (const h of holds) if (h.at <= t + 1e-9) shift += h.seconds;
  return t + shift;
}

/** Held time → item time; a time inside a hold is the hold's own point. */
export function sourceTime(holds: Hold[], t: number): number {
  let shift = 0;
  for (const h of [...holds].sort((a, b) => a.at - b.at)) {
    const start = h.at + shift; // where the hold begins on the held timeline
    if (t < start) break;
    if (t < start + h.seconds) return h.at;
    shift += h.seconds;
  }
  return t - shift;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The held cuts of an item from GET /content/{id}'s `language_tracks` (anything else ignored). */
export function heldCutsOf(tracks: unknown): HeldCut[] {
  if (!Array.isArray(tracks)) return [];
  const out: HeldCut[] = [];
  for (const t of tracks) {
    if (!t || typeof t !== "object") continue;
    const r = t as Record<string, unknown>;
    const held = r.held as Record<string, unknown> | undefined;
    if (!held || typeof held !== "object" || typeof r.language !== "string") continue;
    const url = held.hls_url;
    if (typeof url !== "string" || !url.startsWith("/media/")) continue;
    const holds: Hold[] = [];
    for (const h of Array.isArray(held.holds) ? held.holds : []) {
      const at = num((h as Record<string, unknown>)?.at);
      const seconds = num((h as Record<string, unknown>)?.seconds);
      if (at !== null && seconds !== null && seconds > 0) holds.push({ at, seconds });
    }
    out.push({
      lang: r.language,
      name: typeof r.name === "string" ? r.name : r.language,
      url,
      mp4: typeof held.mp4_url === "string" ? held.mp4_url : "",
      captions: typeof held.captions_url === "string" && held.captions_url.startsWith("/media/") ? held.captions_url : "",
      holds,
    });
  }
  return out;
}
