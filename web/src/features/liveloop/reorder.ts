/** Moves the element at `from` to index `to` (both clamped); returns a new array. */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const n = list.length;
  if (from < 0 || from >= n) return [...list];
  const target = Math.max(0, Math.min(n - 1, to));
  const out = [...list];
  const [x] = out.splice(from, 1);
  out.splice(target, 0, x);
  return out;
}

/** "20:00" style 24-hour time check. */
export const isClockTime = (s: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
