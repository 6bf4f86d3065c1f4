import { useSyncExternalStore } from "react";

export type Theme = "dark" | "light";
const KEY = "beacon.theme";
const listeners = new Set<() => void>();

export function readTheme(storage: Pick<Storage, "getItem"> = localStorage): Theme {
  try {
    return storage.getItem(KEY) === "light" ? "light" : "dark";
  } catch {
    return "dark";
  }
}

/** Applies and persists the theme (dark teal is the default). */
export function setTheme(t: Theme): void {
  try {
    localStorage.setItem(KEY, t);
  } catch {
    /* private mode: theme lasts for this page only */
  }
  document.documentElement.dataset.theme = t;
  listeners.forEach((f) => f());
}

export function applyStoredTheme(): void {
  document.documentElement.dataset.theme = readTheme();
}

export function useTheme(): Theme {
  return useSyncExternalStore(
    (f) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    () => readTheme(),
  );
}
