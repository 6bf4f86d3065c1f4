import type { FactMention } from "./api";

/**
 * The facts to offer at time `t` (seconds): resolved mentions whose span holds t, one per
 * article, in the order they started. A span is widened by `linger` seconds at its end so that a
 * chip does not vanish the instant the word is said.
 */
export function activeFacts(items: FactMention[], t: number, linger = 1.5): FactMention[] {
  const seen = new Set<string>();
  const out: FactMention[] = [];
  for (const m of items) {
    if (!m.fact.resolved || m.fact.ambiguous) continue;
    if (t < m.start || t > m.end + linger) continue;
    const key = m.fact.title || m.entity;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out.sort((a, b) => a.start - b.start);
}

const SETTING = "beacon.facts";

/** The "Show facts" setting (on unless turned off). */
export function loadFactsSetting(): boolean {
  try {
    return localStorage.getItem(SETTING) !== "0";
  } catch {
    return true;
  }
}

export function saveFactsSetting(on: boolean): void {
  try {
    localStorage.setItem(SETTING, on ? "1" : "0");
  } catch {
    /* this page only */
  }
}
