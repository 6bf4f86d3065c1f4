/**
 * hls.js (1.x) keeps per-discontinuity state in arrays indexed by the discontinuity number and
 * walks them from 0: a live playlist whose EXT-X-DISCONTINUITY-SEQUENCE is large (a channel
 * numbered from the clock, ~1.8e9) freezes the page. The spec allows any 64-bit value, so the
 * player rebases: the first DSN this player sees becomes 0 and every later playlist of the same
 * stream (all renditions) is shifted by the same amount, which keeps their relative numbering.
 */
export interface RebaseState {
  base: number | null;
}

const DSN = /^#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)[ \t]*$/m;

/** Rewrites the playlist's discontinuity sequence relative to `state.base` (set on first use). */
export function rebaseDiscontinuitySequence(playlist: string, state: RebaseState): string {
  const m = DSN.exec(playlist);
  if (!m) return playlist;
  const dsn = Number(m[1]);
  if (!Number.isSafeInteger(dsn)) return playlist;
  if (state.base === null) state.base = dsn;
  const rebased = Math.max(0, dsn - state.base);
  return playlist.replace(DSN, `#EXT-X-DISCONTINUITY-SEQUENCE:${rebased}`);
}
