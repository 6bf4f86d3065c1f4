import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import { TERMINAL_STATES, type GenerateRequest, type Job } from "../../api/types";
import { ErrorNote, isNotFound } from "../../components/ui";
import { jobVersion, versioned } from "./fresh";
import { JobPanel } from "./JobPanel";
import { worldFields, WorldPicker, type WorldChoice } from "../verse";

const STYLES = ["cinematic", "broadcast", "ambient", "documentary", "storybook", "noir"];
const LANGUAGES: Record<string, string> = { en: "English", es: "Spanish", fr: "French", de: "German", it: "Italian", pt: "Portuguese" };

type FormFields = Required<Omit<GenerateRequest, "world_id" | "world_camera">>;

/** Create: prompt editor (left) → preview player (centre) → live job log and assets (right). */
export function CreatePage() {
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const jobId = Number(params.get("job")) || null;

  // The form's own fields; the world (below) is added when the job is sent.
  const [form, setForm] = useState<FormFields>({
    prompt: "", title: "", style: "cinematic", voice: "", language: "en",
    duration_target: 7, output_preset: "720p", produce_preview: true,
  });
  // Verse: a world the scenes are rendered from (/create?world=N from a world's page).
  const [world, setWorld] = useState<WorldChoice>({ id: Number(params.get("world")) || null, camera: "orbit" });
  const set = <K extends keyof FormFields>(k: K, v: FormFields[K]) => setForm((f) => ({ ...f, [k]: v }));

  const engines = useQuery({ queryKey: qk.engines, queryFn: api.engines, staleTime: 60_000 });
  const voices = useQuery({ queryKey: qk.voices, queryFn: api.voices, staleTime: 300_000 });
  const voiceOptions = useMemo(
    () => (voices.data?.items ?? []).filter((v) => !v.language || v.language.startsWith(form.language) || form.language === "en"),
    [voices.data, form.language],
  );
  const languages = useMemo(() => {
    const l = { ...LANGUAGES };
    for (const v of voices.data?.items ?? []) if (v.language && !l[v.language]) l[v.language] = v.language;
    return l;
  }, [voices.data]);

  const job = useQuery({
    queryKey: qk.job(jobId ?? 0),
    queryFn: () => api.job(jobId!),
    enabled: jobId !== null,
    // Events keep the job fresh; a slow poll is only a safety net while it runs.
    refetchInterval: (q) => (q.state.data && TERMINAL_STATES.includes((q.state.data as Job).status) ? false : 10_000),
  });

  // Opening a job (from Jobs, or a link) shows the prompt and settings it ran with.
  const filledFor = useRef<number | null>(null);
  useEffect(() => {
    const j = job.data;
    if (!j || jobId === null || filledFor.current === jobId || j.id !== jobId) return;
    filledFor.current = jobId;
    setForm((f) => ({
      prompt: j.prompt ?? f.prompt,
      title: j.title ?? "",
      style: j.style || f.style,
      voice: j.voice ?? "",
      language: j.language || f.language,
      duration_target: typeof j.duration_target === "number" && j.duration_target > 0 ? j.duration_target : f.duration_target,
      output_preset: (j.output_preset as FormFields["output_preset"]) || f.output_preset,
      produce_preview: typeof j.produce_preview === "boolean" ? j.produce_preview : f.produce_preview,
    }));
  }, [job.data, jobId]);

  // The job's video may have been deleted from the library since: then no links to it.
  const contentId = job.data?.content_id ?? null;
  const completed = job.data?.status === "completed";
  // Asked only once the job has completed: while it composes, its item exists but is not
  // published yet (the server answers 404 for it), and a cached 404 must not outlive that.
  const content = useQuery({
    queryKey: qk.contentItem(contentId ?? 0),
    queryFn: () => api.contentItem(contentId!),
    enabled: !!contentId && completed,
    retry: false,
  });
  // Deleted: the item answers 404, or a completed job no longer names one (the server unlinks it).
  const contentGone = completed && ((!!contentId && isNotFound(content.error)) || !contentId);
  const failing = (engines.data?.items ?? []).filter((e) => !e.ok);

  const generate = useMutation({
    mutationFn: () => {
      const body: GenerateRequest = { ...form, duration_target: Number(form.duration_target), ...worldFields(world) };
      if (!body.title) delete body.title;
      if (!body.voice) delete body.voice;
      return api.generate(body);
    },
    onSuccess: (r) => {
      filledFor.current = r.job_id;
      if (r.job) qc.setQueryData(qk.job(r.job_id), r.job);
      void qc.invalidateQueries({ queryKey: qk.jobsAll });
      setParams({ job: String(r.job_id) });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    generate.mutate();
  };

  return (
    <div>
      <div className="page-head"><h1>Create</h1><span className="row"><Link to="/batches" className="small" data-testid="batch-link">Many prompts at once</Link><Link to="/jobs" className="small">All jobs</Link></span></div>
      <div className="create">
        <form className="card stack" onSubmit={onSubmit} aria-label="Prompt editor">
          <h2>Prompt</h2>
          <label className="field">
            <span>What should Beacon make?</span>
            <textarea className="input" name="prompt" required maxLength={4000} value={form.prompt}
              placeholder="A lighthouse keeper watches the first storm of winter roll in…" onChange={(e) => set("prompt", e.target.value)} />
          </label>
          <label className="field">
            <span>Title (optional)</span>
            <input className="input" name="title" value={form.title} onChange={(e) => set("title", e.target.value)} />
          </label>
          <div className="grid-2">
            <label className="field">
              <span>Style</span>
              <select className="input" name="style" value={form.style} onChange={(e) => set("style", e.target.value)}>
                {STYLES.map((s) => <option key={s} value={s}>{s}</option>)}
              </select>
            </label>
            <label className="field">
              <span>Language</span>
              <select className="input" name="language" value={form.language} onChange={(e) => set("language", e.target.value)}>
                {Object.entries(languages).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
              </select>
            </label>
            <label className="field">
              <span>Voice</span>
              <select className="input" name="voice" value={form.voice} onChange={(e) => set("voice", e.target.value)}>
                <option value="">Default voice</option>
                {voiceOptions.map((v) => <option key={v.id} value={v.id}>{v.name}{v.language ? ` (${v.language})` : ""}</option>)}
              </select>
            </label>
            <label className="field">
              <span>Duration (s)</span>
              <input className="input" name="duration" type="number" min={1} max={600} step={1} value={form.duration_target}
                onChange={(e) => set("duration_target", Number(e.target.value))} />
            </label>
            <label className="field">
              <span>Output</span>
              <select className="input" name="preset" value={form.output_preset} onChange={(e) => set("output_preset", e.target.value as "720p")}>
                <option value="480p">480p</option><option value="720p">720p</option><option value="1080p">1080p</option>
              </select>
            </label>
          </div>
          <WorldPicker value={world} onChange={setWorld} />
          <label className="check">
            <input type="checkbox" name="produce_preview" checked={form.produce_preview} onChange={(e) => set("produce_preview", e.target.checked)} />
            Produce a quick preview first
          </label>
          <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
            <legend className="small muted" style={{ marginBottom: "var(--space-2)" }}>Engines that will run</legend>
            {engines.isPending && <p className="small muted">Checking engines…</p>}
            <ErrorNote error={engines.error} />
            <ul className="engine-list" data-testid="engines">
              {engines.data?.items.map((e) => (
                <li key={e.capability}>
                  <span><strong>{e.capability}</strong> <span className="muted">{e.engine}</span></span>
                  <span className="row">
                    {e.builtin && <span className="badge badge--builtin" title="A built-in local engine stands in for an AI service">built-in</span>}
                    <span className={`badge ${e.ok ? "badge--ok" : "badge--bad"}`} title={e.detail}>{e.ok ? "ready" : "problem"}</span>
                  </span>
                </li>
              ))}
            </ul>
          </fieldset>
          {failing.length > 0 && (
            <p className="alert" role="alert" data-testid="engine-failing">
              {failing.map((e) => `${e.capability} (${e.engine})${e.detail ? `: ${e.detail}` : ""}`).join("; ")}.{" "}
              {failing.length === 1 ? "This engine is" : "These engines are"} failing, so a job started now would fail. Fix {failing.length === 1 ? "it" : "them"} in the configuration, then check again.
              {" "}<button type="button" className="btn btn--sm" onClick={() => void engines.refetch()} disabled={engines.isFetching}>Check again</button>
            </p>
          )}
          <ErrorNote error={generate.error} />
          <button className="btn btn--cta" type="submit" disabled={generate.isPending || !form.prompt.trim() || failing.length > 0}>
            {generate.isPending ? "Starting…" : "Generate"}
          </button>
        </form>

        <section className="card stack" aria-label="Preview">
          <h2>Preview</h2>
          <Preview job={job.data} gone={contentGone} />
          {contentGone ? (
            <p className="small muted" data-testid="content-deleted">The video this job made was deleted from the library.</p>
          ) : contentId ? (
            <div className="row">
              <Link className="btn btn--primary" to={`/watch/${contentId}`}>Watch final</Link>
              <Link className="btn" to={`/library/${contentId}`}>Open in library</Link>
            </div>
          ) : null}
        </section>

        <section className="card stack" aria-label="Job log and assets">
          {jobId === null ? (
            <><h2>Job</h2><p className="muted">Start a job to watch its log, script and scenes stream in here.</p></>
          ) : (
            <>
              {isNotFound(job.error) ? (
                <div data-testid="not-found"><h2>Job #{jobId} not found</h2><p className="muted">It may have been deleted, or the link is wrong.</p><Link className="btn btn--primary" to="/jobs">Back to Jobs</Link></div>
              ) : <ErrorNote error={job.error} />}
              {job.data && <JobPanel job={job.data} />}
            </>
          )}
        </section>
      </div>
    </div>
  );
}

/**
 * Starts playing (muted) the moment the job's preview appears; once the job has finished it
 * shows the final instead of the 480p preview.
 */
function Preview({ job, gone }: { job: Job | undefined; gone: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  const done = job?.status === "completed";
  const raw = gone ? null : done ? job?.final_url ?? job?.preview_url ?? null : job?.preview_url ?? job?.final_url ?? null;
  const src = raw ? versioned(raw, jobVersion(job)) ?? null : null;
  const kind = raw && done && raw === job?.final_url ? "final" : "preview";
  useEffect(() => {
    const v = ref.current;
    if (v && src) {
      v.muted = true;
      void v.play().catch(() => undefined);
    }
  }, [src]);
  return (
    <div className="preview-frame">
      {src ? (
        <video ref={ref} key={src} src={src} muted autoPlay loop playsInline controls data-testid="preview-video" data-kind={kind}
          poster={versioned(job?.thumbnail_url, jobVersion(job))} aria-label={kind === "final" ? "Final video" : "Preview video"} />
      ) : (
        <p className="small" style={{ padding: "var(--space-4)", textAlign: "center" }}>
          {!job ? "Your preview plays here."
            : job.status === "canceled" ? "The job was canceled before a preview was made."
            : job.status === "failed" ? "The job failed before a preview was made."
            : gone ? "The video was deleted."
            : "The preview will start here as soon as it is rendered."}
        </p>
      )}
    </div>
  );
}
