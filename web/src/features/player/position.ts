type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">;
const key = (id: number | string) => `beacon.pos.${id}`;

/** Remembers where the viewer stopped (continue watching); forgets near the very start or end. */
export function savePosition(id: number | string, t: number, duration: number, store: Store = localStorage): void {
  try {
    if (!Number.isFinite(t) || t < 3 || (Number.isFinite(duration) && duration > 0 && t > duration - 3)) store.removeItem(key(id));
    else store.setItem(key(id), t.toFixed(1));
  } catch {
    /* ignore */
  }
}

export function loadPosition(id: number | string, store: Store = localStorage): number {
  try {
    const v = Number(store.getItem(key(id)));
    return Number.isFinite(v) && v > 0 ? v : 0;
  } catch {
    return 0;
  }
}
