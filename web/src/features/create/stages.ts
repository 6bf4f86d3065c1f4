import type { JobLogLine } from "../../api/types";

/** One scene as the job panel shows it, gathered from the job's recorded stage outputs. */
export interface SceneView {
  n: number;
  description: string;
  lines: string[];
  duration?: number;
  pictureUrl?: string;
  voiceUrl?: string;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === "object" && !Array.isArray(x);
const str = (x: unknown) => (typeof x === "string" && x ? x : undefined);

function sceneNumber(s: Obj, index: number): number {
  for (const k of ["n", "scene", "index", "id", "scene_id"]) {
    const v = s[k];
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return index + 1;
}

/**
 * Collects scenes from `job.stages`: the script (description, lines) from whichever stage
 * recorded one, and per-scene picture/voice URLs from the stages that made them.
 * Unknown shapes are ignored, so a new stage never breaks the panel.
 */
export function collectScenes(stages: Record<string, unknown> | undefined): SceneView[] {
  const byN = new Map<number, SceneView>();
  const get = (n: number) => {
    let s = byN.get(n);
    if (!s) byN.set(n, (s = { n, description: "", lines: [] }));
    return s;
  };
  const visit = (arr: unknown[]) =>
    arr.forEach((raw, i) => {
      if (!isObj(raw)) return;
      const s = get(sceneNumber(raw, i));
      const d = str(raw.description);
      if (d) s.description = d;
      if (Array.isArray(raw.lines)) s.lines = raw.lines.filter((l): l is string => typeof l === "string");
      if (typeof raw.duration === "number") s.duration = raw.duration;
      const pic = str(raw.picture_url) ?? str(raw.picture) ?? str(raw.image_url);
      if (pic) s.pictureUrl = pic;
      const voice = str(raw.voice_url) ?? str(raw.voice) ?? str(raw.audio_url);
      if (voice && /[/.]/.test(voice)) s.voiceUrl = voice;
    });
  for (const out of Object.values(stages ?? {})) {
    if (!isObj(out)) continue;
    if (Array.isArray(out.scenes)) visit(out.scenes);
    if (isObj(out.script) && Array.isArray(out.script.scenes)) visit(out.script.scenes);
    for (const k of ["pictures", "voices", "items"]) if (Array.isArray(out[k])) visit(out[k] as unknown[]);
  }
  // Regenerated scenes: the user's edits (stage "scene_edits", keyed by scene number) replace the
  // script's original text, as they do in the pipeline.
  const edits = stages?.scene_edits;
  if (isObj(edits)) {
    for (const [k, e] of Object.entries(edits)) {
      const n = Number(k);
      if (!Number.isFinite(n) || !isObj(e)) continue;
      const s = get(n);
      const d = str(e.description);
      if (d) s.description = d;
      if (Array.isArray(e.lines)) s.lines = e.lines.filter((l): l is string => typeof l === "string");
    }
  }
  return [...byN.values()].filter((s) => s.description || s.lines.length || s.pictureUrl || s.voiceUrl).sort((a, b) => a.n - b.n);
}

/** The script's title/description, if a stage recorded a script. */
export function findScript(stages: Record<string, unknown> | undefined): { title?: string; description?: string } | null {
  for (const out of Object.values(stages ?? {})) {
    if (!isObj(out)) continue;
    const s = isObj(out.script) ? out.script : Array.isArray(out.scenes) ? out : null;
    if (s && (str(s.title) || str(s.description))) return { title: str(s.title), description: str(s.description) };
  }
  return null;
}

export interface StageTiming {
  stage: string;
  ms: number;
  running: boolean;
}

/**
 * Per-stage wall time: a stage's own recorded timing (elapsed_ms / duration_ms / seconds)
 * when present, otherwise first-to-last log line of that stage. Order is the order stages first logged.
 */
export function stageTimings(logs: JobLogLine[] | undefined, stages: Record<string, unknown> | undefined, current?: string): StageTiming[] {
  const spans = new Map<string, { first: number; last: number }>();
  for (const l of logs ?? []) {
    const t = Date.parse(l.at);
    if (!l.stage || Number.isNaN(t)) continue;
    const s = spans.get(l.stage);
    if (!s) spans.set(l.stage, { first: t, last: t });
    else {
      s.first = Math.min(s.first, t);
      s.last = Math.max(s.last, t);
    }
  }
  const out: StageTiming[] = [];
  const seen = new Set<string>();
  const recorded = (name: string): number | undefined => {
    const o = stages?.[name];
    if (!isObj(o)) return undefined;
    for (const k of ["elapsed_ms", "duration_ms", "took_ms", "ms"]) if (typeof o[k] === "number") return o[k] as number;
    if (isObj(o.timing) && typeof o.timing.ms === "number") return o.timing.ms;
    if (typeof o.seconds === "number") return (o.seconds as number) * 1000;
    return undefined;
  };
  for (const [stage, s] of spans) {
    seen.add(stage);
    out.push({ stage, ms: recorded(stage) ?? s.last - s.first, running: stage === current && !stages?.[stage] });
  }
  for (const name of Object.keys(stages ?? {})) {
    if (seen.has(name)) continue;
    const ms = recorded(name);
    if (ms !== undefined) out.push({ stage: name, ms, running: false });
  }
  return out;
}
