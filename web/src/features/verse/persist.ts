/**
 * What the editor keeps per world in localStorage (issue 17 item 4): the camera (position and
 * orbit target), the selected node and the open panel, restored when the world is reopened.
 * Whatever is stored is checked on the way in: a stale or hand-edited entry falls back to the
 * document's camera and no selection rather than breaking the editor.
 */
import type { Vec3 } from "./doc";

export interface EditorState {
  camera?: { position: Vec3; target: Vec3 };
  selected?: string | null;
  panel?: string;
}

export const PANELS = ["properties", "world", "share", "history"] as const;
export const persistKey = (id: number) => `beacon.verse.editor.${id}`;

const isVec3 = (v: unknown): v is Vec3 =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && Number.isFinite(x) && Math.abs(x) <= 1e6);

export function loadEditorState(id: number): EditorState {
  let raw: unknown;
  try {
    raw = JSON.parse(localStorage.getItem(persistKey(id)) ?? "{}");
  } catch {
    return {};
  }
  if (!raw || typeof raw !== "object") return {};
  const r = raw as Record<string, unknown>;
  const out: EditorState = {};
  const cam = r.camera as Record<string, unknown> | undefined;
  if (cam && isVec3(cam.position) && isVec3(cam.target)) out.camera = { position: cam.position, target: cam.target };
  if (typeof r.selected === "string" || r.selected === null) out.selected = r.selected as string | null;
  if (typeof r.panel === "string" && (PANELS as readonly string[]).includes(r.panel)) out.panel = r.panel;
  return out;
}

export function saveEditorState(id: number, patch: EditorState): void {
  try {
    localStorage.setItem(persistKey(id), JSON.stringify({ ...loadEditorState(id), ...patch }));
  } catch {
    /* storage full or off: the editor still works */
  }
}
