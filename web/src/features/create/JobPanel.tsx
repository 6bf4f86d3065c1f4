import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import { TERMINAL_STATES, type Job } from "../../api/types";
import { formatMs } from "../../components/format";
import { IconRetry, IconStop } from "../../components/icons";
import { ErrorNote, ProgressBar, StateBadge } from "../../components/ui";
import { sceneVersion, versioned } from "./fresh";
import { collectScenes, findScript, stageTimings, type SceneView } from "./stages";

/** The right-hand column: state, progress, streaming log, timings, script and scenes. */
export function JobPanel({ job }: { job: Job }) {
  const qc = useQueryClient();
  const terminal = TERMINAL_STATES.includes(job.status);
  const onJob = (j: Job | undefined) => j && qc.setQueryData<Job>(qk.job(job.id), (old) => ({ ...old, ...j }));
  const cancel = useMutation({ mutationFn: () => api.cancelJob(job.id), onSuccess: onJob });
  const retry = useMutation({ mutationFn: () => api.retryJob(job.id), onSuccess: onJob });
  const scenes = collectScenes(job.stages);
  const script = findScript(job.stages);
  const timings = stageTimings(job.logs, job.stages, job.status);

  return (
    <>
      <div className="row row--between">
        <h2 style={{ margin: 0 }}>{job.title || script?.title || `Job ${job.id}`}</h2>
        <StateBadge state={job.status} />
      </div>
      <ProgressBar value={job.progress} label="Job progress" />
      <p className="small muted" aria-live="polite">{job.progress}% · {job.status.replace(/_/g, " ")}</p>
      {job.error && (
        <p className="alert" role="alert" data-testid="job-error"><strong>{job.error.code}</strong>: {job.error.message}</p>
      )}
      <div className="row">
        {!terminal && <button className="btn btn--danger btn--sm" onClick={() => cancel.mutate()} disabled={cancel.isPending || job.cancel_requested}><IconStop size={16} />Cancel</button>}
        {(job.status === "failed" || job.status === "canceled") && (
          <button className="btn btn--primary btn--sm" onClick={() => retry.mutate()} disabled={retry.isPending}><IconRetry size={16} />Retry</button>
        )}
      </div>
      <ErrorNote error={cancel.error ?? retry.error} />

      <h3>Log</h3>
      <LogView job={job} />

      {timings.length > 0 && (
        <>
          <h3>Stage timings</h3>
          <dl className="timings" data-testid="stage-timings">
            {timings.map((t) => (
              <div key={t.stage} style={{ display: "contents" }}>
                <dt>{t.stage}{t.running ? " (running)" : ""}</dt><dd>{formatMs(t.ms)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}

      {script && (
        <>
          <h3>Script</h3>
          {script.title && <p><strong>{script.title}</strong></p>}
          {script.description && <p className="small">{script.description}</p>}
        </>
      )}
      {scenes.length > 0 && (
        <>
          <h3>Scenes</h3>
          <div data-testid="scenes">{scenes.map((s) => <SceneRow key={s.n} job={job} scene={s} canEdit={terminal} />)}</div>
        </>
      )}
    </>
  );
}

/** The program a logged command runs ("ffmpeg"). */
export function commandName(cmd: string): string {
  const first = cmd.trim().split(/\s+/)[0] ?? "";
  return first.split("/").pop() || "shell";
}

/**
 * A logged command with absolute paths made relative to the data folder (its media/ and tmp/
 * parts) and the program without its directory.
 */
export function relativeCommand(cmd: string): string {
  return cmd
    .replace(/^\s*\S*\/([^\s/]+)(?=\s|$)/, "$1")
    .replace(/(['"]?)(\/[^\s'"]*)/g, (_m, q: string, path: string) => {
      const cut = Math.max(path.lastIndexOf("/media/"), path.lastIndexOf("/tmp/"));
      return q + (cut >= 0 ? path.slice(cut + 1) : path);
    });
}

function LogView({ job }: { job: Job }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const logs = job.logs ?? [];
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [logs.length]);
  return (
    <div className="log" ref={ref} role="log" aria-live="polite" aria-label="Job log" tabIndex={0} data-testid="job-log"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}>
      {logs.length === 0 && (
        <p className="small muted">
          {job.status === "canceled" ? "No log: the job was canceled before it started."
            : job.status === "failed" ? "No log: the job failed before it started."
            : job.status === "completed" ? "No log lines were kept for this job."
            : "Waiting for the first log line…"}
        </p>
      )}
      {logs.map((l) => (
        <div key={l.id} className="log__line" data-level={l.level}>
          <time className="muted" dateTime={l.at}>{l.at.slice(11, 19)}</time>
          <span className="log__stage">{l.stage}</span>
          <span className="log__msg">{l.level === "cmd" ? (
            <details className="log__cmd"><summary>{commandName(l.message)} command</summary><code>{relativeCommand(l.message)}</code></details>
          ) : l.message}</span>
        </div>
      ))}
    </div>
  );
}

function SceneRow({ job, scene, canEdit }: { job: Job; scene: SceneView; canEdit: boolean }) {
  const qc = useQueryClient();
  const jobId = job.id;
  const [editing, setEditing] = useState(false);
  const [description, setDescription] = useState(scene.description);
  const [lines, setLines] = useState(scene.lines.join("\n"));
  const editBtn = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  // The scene as the job now has it (after a regeneration) replaces what the form started from.
  const sceneLines = scene.lines.join("\n");
  useEffect(() => {
    if (editing) return;
    setDescription(scene.description);
    setLines(sceneLines);
  }, [scene.description, sceneLines, editing]);
  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      editBtn.current?.focus();
    }
  }, [editing]);
  const stopEditing = () => {
    refocus.current = true;
    setEditing(false);
  };
  const regen = useMutation({
    mutationFn: () => api.regenerateScene(jobId, scene.n, {
      description: description.trim() || undefined,
      lines: lines.split("\n").map((l) => l.trim()).filter(Boolean),
    }),
    onSuccess: (j) => {
      if (j && typeof j === "object" && "id" in j) qc.setQueryData<Job>(qk.job(jobId), (old) => ({ ...old, ...j }));
      // The answer is the job row; its stages (scene text, pictures) come with the detail.
      void qc.invalidateQueries({ queryKey: qk.job(jobId), exact: true });
      stopEditing();
    },
  });
  const picture = versioned(scene.pictureUrl, sceneVersion(job, scene));
  return (
    <div className="scene" data-testid="scene">
      {picture ? <img src={picture} alt={`Scene ${scene.n} picture`} loading="lazy" /> : <div className="scene-ph" aria-hidden="true" />}
      <div className="stack" style={{ gap: "var(--space-1)" }}>
        <strong className="small">Scene {scene.n}{scene.duration ? ` · ${scene.duration.toFixed(1)} s` : ""}</strong>
        {!editing ? (
          <>
            <p className="small" style={{ margin: 0 }} data-testid="scene-description">{scene.description}</p>
            {scene.lines.map((l, i) => <p key={i} className="small muted" style={{ margin: 0 }} data-testid="scene-line">“{l}”</p>)}
            {scene.voiceUrl && <audio controls preload="none" src={versioned(scene.voiceUrl, sceneVersion(job, scene))} aria-label={`Scene ${scene.n} voice`} style={{ width: "100%" }} />}
            {/* Stays in place while the job runs (aria-disabled keeps focus on it after a regeneration). */}
            <button ref={editBtn} className="btn btn--sm" style={{ alignSelf: "start" }} aria-disabled={!canEdit}
              title={canEdit ? undefined : "Available when the job has finished"}
              onClick={() => canEdit && setEditing(true)} aria-label={`Regenerate scene ${scene.n}…`}>Regenerate…</button>
          </>
        ) : (
          <form className="stack" onSubmit={(e) => { e.preventDefault(); regen.mutate(); }}>
            <label className="field"><span>Description</span>
              <textarea className="input" value={description} onChange={(e) => setDescription(e.target.value)} autoFocus /></label>
            <label className="field"><span>Lines (one per line)</span>
              <textarea className="input" value={lines} onChange={(e) => setLines(e.target.value)} /></label>
            <ErrorNote error={regen.error} />
            <div className="row">
              <button className="btn btn--cta btn--sm" type="submit" disabled={regen.isPending}>Regenerate scene</button>
              <button className="btn btn--ghost btn--sm" type="button" onClick={stopEditing}>Cancel</button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
