/** Caption appearance the viewer chose; stored in localStorage so it survives reloads. */
export interface CaptionSettings {
  enabled: boolean;
  size: "small" | "medium" | "large" | "xlarge";
  style: "shadow" | "box" | "high-contrast" | "light";
  language: string; // preferred caption language, "" = the item's first
}

export const CAPTION_SIZES: CaptionSettings["size"][] = ["small", "medium", "large", "xlarge"];
export const CAPTION_STYLES: { id: CaptionSettings["style"]; label: string }[] = [
  { id: "shadow", label: "White, shadow" },
  { id: "box", label: "White on dark box" },
  { id: "high-contrast", label: "Yellow on black" },
  { id: "light", label: "Black on light box" },
];
export const DEFAULT_CAPTIONS: CaptionSettings = { enabled: true, size: "medium", style: "box", language: "" };
export const CAPTIONS_KEY = "beacon.captions";

type Store = Pick<Storage, "getItem" | "setItem">;

/** Reads settings, repairing anything missing or invalid with the defaults. */
export function loadCaptionSettings(store: Store = localStorage): CaptionSettings {
  let raw: unknown = null;
  try {
    raw = JSON.parse(store.getItem(CAPTIONS_KEY) ?? "null");
  } catch {
    raw = null;
  }
  const r = (raw && typeof raw === "object" ? raw : {}) as Partial<Record<keyof CaptionSettings, unknown>>;
  return {
    enabled: typeof r.enabled === "boolean" ? r.enabled : DEFAULT_CAPTIONS.enabled,
    size: CAPTION_SIZES.includes(r.size as CaptionSettings["size"]) ? (r.size as CaptionSettings["size"]) : DEFAULT_CAPTIONS.size,
    style: CAPTION_STYLES.some((s) => s.id === r.style) ? (r.style as CaptionSettings["style"]) : DEFAULT_CAPTIONS.style,
    language: typeof r.language === "string" && /^[a-zA-Z-]{0,16}$/.test(r.language) ? r.language : "",
  };
}

export function saveCaptionSettings(s: CaptionSettings, store: Store = localStorage): void {
  try {
    store.setItem(CAPTIONS_KEY, JSON.stringify(s));
  } catch {
    /* storage full or disabled: settings last for this page */
  }
}

/** Caption file URL per language, derived from the item's captions_<lang>.vtt naming. */
export function captionTracks(vttUrl: string, languages: string[]): { lang: string; url: string }[] {
  if (!vttUrl) return [];
  const m = /captions_([A-Za-z-]+)\.vtt(\?.*)?$/.exec(vttUrl);
  if (!m || languages.length === 0) return [{ lang: m?.[1] ?? languages[0] ?? "en", url: vttUrl }];
  return languages.map((lang) => ({ lang, url: vttUrl.replace(/captions_[A-Za-z-]+\.vtt/, `captions_${lang}.vtt`) }));
}
