import { useSyncExternalStore } from "react";

export type Theme = "dark" | "light";
const KEY = "beacon.theme";
const listeners = new Set<() => void>();

/** The system's preference (prefers-color-scheme), dark when unknown. */
export function systemTheme(): Theme {
  try {
    return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
  } catch {
    return "dark";
  }
}

/** The user's own pick, or null while they have not picked one (then the system decides). */
export function storedTheme(storage: Pick<Storage, "getItem"> = localStorage): Theme | null {
  try {
    const v = storage.getItem(KEY);
    return v === "light" || v === "dark" ? v : null;
  } catch {
    return null;
  }
}

export function readTheme(storage: Pick<Storage, "getItem"> = localStorage, system: () => Theme = systemTheme): Theme {
  return storedTheme(storage) ?? system();
}

/** Applies and persists the theme the user picked; null goes back to following the system. */
export function setTheme(t: Theme | null): void {
  try {
    if (t) localStorage.setItem(KEY, t);
    else localStorage.removeItem(KEY);
  } catch {
    /* private mode: theme lasts for this page only */
  }
  document.documentElement.dataset.theme = t ?? systemTheme();
  listeners.forEach((f) => f());
}

/** Applies the stored pick or the system's preference, and follows the system until the user picks. */
export function applyStoredTheme(): void {
  document.documentElement.dataset.theme = readTheme();
  try {
    matchMedia("(prefers-color-scheme: light)").addEventListener("change", () => {
      if (storedTheme() !== null) return;
      document.documentElement.dataset.theme = systemTheme();
      listeners.forEach((f) => f());
    });
  } catch {
    /* no matchMedia */
  }
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

/** What the user chose: a theme, or "system" while the system's preference decides. */
export function useThemeChoice(): Theme | "system" {
  return useSyncExternalStore(
    (f) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    () => storedTheme() ?? "system",
  );
}
