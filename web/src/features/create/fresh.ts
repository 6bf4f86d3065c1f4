import type { Job } from "../../api/types";
import type { SceneView } from "./stages";

/** A short stable hash of a string (FNV-1a), for cache-busting versions. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** Adds a version to a media URL, so a regenerated file under the same name is fetched anew. */
export function versioned(url: string | null | undefined, version: string | undefined): string | undefined {
  if (!url) return undefined;
  if (!version || /^(blob|data):/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}v=${version}`;
}

/**
 * The version of a job's outputs: changes when a finished job finishes again (a scene was
 * regenerated), not on every progress tick of a running one.
 */
export function jobVersion(job: Job | undefined): string | undefined {
  if (!job) return undefined;
  const done = job.status === "completed" || job.status === "failed" || job.status === "canceled";
  return shortHash(`${job.attempts ?? 0}|${done ? job.updated_at : "running"}`);
}

/** The version of one scene's picture and voice: its text, and the job's attempt. */
export function sceneVersion(job: Job, scene: SceneView): string {
  return shortHash(`${job.attempts ?? 0}|${scene.description}|${scene.lines.join("\n")}`);
}
