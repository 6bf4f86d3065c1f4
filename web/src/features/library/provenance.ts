import type { Asset } from "../../api/types";

/** The pipeline stage that made an asset kind, in the order the pipeline runs. */
export const STAGES: { id: string; label: string; kinds: RegExp }[] = [
  { id: "script", label: "Script", kinds: /^script/ },
  { id: "voices", label: "Voices", kinds: /^(voice|tts)/ },
  { id: "pictures", label: "Pictures", kinds: /^(picture|image)/ },
  { id: "preview", label: "Preview", kinds: /^preview/ },
  { id: "final", label: "Final render", kinds: /^(narration|encode|final|mp4)/ },
];
const PACKAGING = { id: "packaging", label: "Packaging (HLS, captions, thumbnails)" };

export function stageOf(kind: string): { id: string; label: string } {
  return STAGES.find((s) => s.kinds.test(kind)) ?? PACKAGING;
}

/** What an asset stands for, whatever its revision: kind, scene and the key without its revision part. */
export function slotOf(a: Asset): string {
  const p = a.parameters ?? {};
  const scene = p.scene ?? p.scene_n ?? p.n ?? "";
  const layer = p.layer ?? "";
  const key = a.key.replace(/\/r\d+(?=\/)/g, "").replace(/[._-]r\d+(?=\.\w+$)/, "");
  return `${a.kind}|${String(scene)}|${String(layer)}|${key}`;
}

export interface ProvenanceGroup {
  id: string;
  label: string;
  /** The assets the item uses now: the newest of each slot. */
  current: Asset[];
  /** Older revisions replaced by a regeneration. */
  earlier: Asset[];
}

/** Groups an item's assets by pipeline stage, newest revision first; older revisions kept apart. */
export function groupProvenance(assets: Asset[]): ProvenanceGroup[] {
  const newest = new Map<string, Asset>();
  for (const a of assets) {
    const s = slotOf(a);
    const o = newest.get(s);
    if (!o || a.id > o.id) newest.set(s, a);
  }
  const groups = new Map<string, ProvenanceGroup>();
  const order = [...STAGES.map((s) => s.id), PACKAGING.id];
  for (const a of [...assets].sort((x, y) => x.id - y.id)) {
    const st = stageOf(a.kind);
    let g = groups.get(st.id);
    if (!g) groups.set(st.id, (g = { id: st.id, label: st.label, current: [], earlier: [] }));
    (newest.get(slotOf(a)) === a ? g.current : g.earlier).push(a);
  }
  return [...groups.values()].sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
}

/** The item's revision: how many times its newest slot was regenerated (1 = first render). */
export function revisionOf(assets: Asset[]): number {
  const counts = new Map<string, number>();
  for (const a of assets) counts.set(slotOf(a), (counts.get(slotOf(a)) ?? 0) + 1);
  return Math.max(1, ...counts.values());
}
