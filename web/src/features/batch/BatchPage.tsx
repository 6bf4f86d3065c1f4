import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type ChangeEvent, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { formatAge } from "../../components/format";
import { Empty, ErrorNote, ProgressBar, StateBadge } from "../../components/ui";
import { BATCH_DONE, batchApi, batchKeys, type Batch } from "./batchApi";
import { MAX_BATCH_ITEMS, OUTPUT_PRESETS, parseBatchText, type OutputPreset } from "./parse";

const STYLES = ["cinematic", "broadcast", "ambient", "documentary", "storybook", "noir"];

/** Batches: paste prompts (or drop a .txt, .jsonl or .csv file), shared settings, then one view per batch. */
export function BatchesPage() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const [fileName, setFileName] = useState("");
  const [name, setName] = useState("");
  const [style, setStyle] = useState("cinematic");
  const [duration, setDuration] = useState(7);
  const [preset, setPreset] = useState<OutputPreset>("720p");
  const [preview, setPreview] = useState(false);
  const [maxParallel, setMaxParallel] = useState(0);
  const parsed = useMemo(() => parseBatchText(text, fileName), [text, fileName]);
  const list = useQuery({
    queryKey: batchKeys.all,
    queryFn: batchApi.list,
    refetchInterval: (q) => ((q.state.data?.items ?? []).some((b) => !BATCH_DONE.includes(b.state)) ? 3000 : false),
  });
  const create = useMutation({
    mutationFn: () =>
      batchApi.create(parsed.items, { style, duration_target: duration, output_preset: preset, produce_preview: preview },
        name || fileName || "", maxParallel),
    onSuccess: (b) => {
      void qc.invalidateQueries({ queryKey: batchKeys.all });
      void qc.invalidateQueries({ queryKey: ["jobs"] });
      navigate(`/batches/${b.id}`);
    },
  });
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (!f) return;
    setFileName(f.name);
    setText(await f.text());
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const canSubmit = parsed.items.length > 0 && parsed.errors.length === 0 && parsed.items.length <= MAX_BATCH_ITEMS;
  return (
    <div>
      <div className="page-head"><h1>Batches</h1><Link to="/create" className="small">Single prompt</Link></div>
      <form className="card stack" onSubmit={onSubmit} aria-label="New batch">
        <h2>New batch</h2>
        <label className="field">
          <span>Prompts: one per line, JSON Lines, or CSV with a prompt column</span>
          <textarea className="input" name="prompts" rows={8} value={text} data-testid="batch-prompts"
            placeholder={"A lighthouse in a winter storm\nA paper boat on a stream\n{\"prompt\": \"A fox at dawn\", \"title\": \"Fox\"}"}
            onChange={(e) => { setText(e.target.value); setFileName(""); }} />
        </label>
        <label className="field">
          <span>…or a file (.txt, .jsonl, .csv)</span>
          <input className="input" type="file" accept=".txt,.jsonl,.csv,text/plain,text/csv,application/json" onChange={(e) => void onFile(e)} data-testid="batch-file" />
        </label>
        <p className="small muted" data-testid="batch-count" aria-live="polite">
          {parsed.items.length === 0 ? "No prompts yet." : `${parsed.items.length} prompt${parsed.items.length === 1 ? "" : "s"} (${parsed.format === "csv" ? "CSV" : parsed.format === "jsonl" ? "JSON Lines" : "text"})`}
        </p>
        {parsed.errors.length > 0 && (
          <ul className="alert" role="alert" data-testid="batch-errors">
            {parsed.errors.slice(0, 8).map((e) => <li key={e}>{e}</li>)}
            {parsed.errors.length > 8 && <li>…and {parsed.errors.length - 8} more</li>}
          </ul>
        )}
        <div className="grid-2">
          <label className="field"><span>Name (optional)</span>
            <input className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} /></label>
          <label className="field"><span>Style</span>
            <select className="input" value={style} onChange={(e) => setStyle(e.target.value)}>
              {STYLES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select></label>
          <label className="field"><span>Duration (s)</span>
            <input className="input" type="number" min={1} max={600} value={duration} onChange={(e) => setDuration(Number(e.target.value))} /></label>
          <label className="field"><span>Output</span>
            <select className="input" value={preset} onChange={(e) => setPreset(OUTPUT_PRESETS.find((p) => p === e.target.value) ?? "720p")}>
              {OUTPUT_PRESETS.map((p) => <option key={p} value={p}>{p}</option>)}
            </select></label>
          <label className="field"><span>At once (0 = as many as the workers take)</span>
            <input className="input" type="number" min={0} max={64} value={maxParallel} onChange={(e) => setMaxParallel(Number(e.target.value))} data-testid="batch-max-parallel" /></label>
        </div>
        <label className="check"><input type="checkbox" checked={preview} onChange={(e) => setPreview(e.target.checked)} /> Quick previews too</label>
        <p className="small muted">Jobs you start from Create go first; a batch's jobs wait behind them.</p>
        <ErrorNote error={create.error} />
        <button className="btn btn--cta" type="submit" disabled={!canSubmit || create.isPending} data-testid="batch-submit">
          {create.isPending ? "Queuing…" : `Queue ${parsed.items.length || ""} job${parsed.items.length === 1 ? "" : "s"}`}
        </button>
      </form>

      <section className="card stack" aria-label="Your batches" style={{ marginTop: "var(--space-4)" }}>
        <h2>Your batches</h2>
        <ErrorNote error={list.error} />
        {list.data && list.data.items.length === 0 && <Empty><p>No batches yet.</p></Empty>}
        {list.data && list.data.items.length > 0 && (
          <table className="table table--stack" data-testid="batches-table">
            <thead><tr><th scope="col">Batch</th><th scope="col">State</th><th scope="col" style={{ minWidth: "8rem" }}>Progress</th><th scope="col">Age</th></tr></thead>
            <tbody>
              {list.data.items.map((b) => (
                <tr key={b.id}>
                  <td><Link to={`/batches/${b.id}`}>{b.name || `Batch ${b.id}`}</Link> <span className="small muted">{b.finished}/{b.total}</span></td>
                  <td data-label="State"><StateBadge state={b.state} /></td>
                  <td data-label="Progress"><ProgressBar value={b.progress} label={`Progress of batch ${b.id}`} /></td>
                  <td data-label="Age" className="small muted"><time dateTime={b.created_at}>{formatAge(b.created_at)}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** One batch: counts by state, overall progress, every job, cancel and retry. */
export function BatchDetailPage() {
  const id = Number(useParams().id);
  const qc = useQueryClient();
  const batch = useQuery({
    queryKey: batchKeys.one(id),
    queryFn: () => batchApi.get(id),
    enabled: Number.isFinite(id) && id > 0,
    refetchInterval: (q) => (q.state.data && BATCH_DONE.includes((q.state.data as Batch).state) ? false : 2000),
  });
  const refresh = (b: Batch) => {
    qc.setQueryData(batchKeys.one(id), b);
    void qc.invalidateQueries({ queryKey: batchKeys.all });
    void qc.invalidateQueries({ queryKey: ["jobs"] });
  };
  const cancel = useMutation({ mutationFn: () => batchApi.cancel(id), onSuccess: refresh });
  const retry = useMutation({ mutationFn: () => batchApi.retry(id), onSuccess: refresh });
  const b = batch.data;
  const failedOrCanceled = b ? (b.counts.failed ?? 0) + (b.counts.canceled ?? 0) : 0;
  return (
    <div>
      <div className="page-head"><h1>{b?.name || `Batch ${id}`}</h1><Link to="/batches" className="small">All batches</Link></div>
      <ErrorNote error={batch.error} />
      {b && (
        <section className="card stack" aria-label="Batch" data-testid="batch-detail" data-state={b.state}>
          <div className="row">
            <StateBadge state={b.state} />
            <span data-testid="batch-finished">{b.finished} of {b.total} finished</span>
            {b.max_parallel > 0 && <span className="small muted">{b.max_parallel} at once</span>}
          </div>
          <ProgressBar value={b.progress} label="Batch progress" />
          <p className="small muted" data-testid="batch-counts">
            {Object.entries(b.counts).map(([k, v]) => `${v} ${k.replace(/_/g, " ")}`).join(" · ")}
          </p>
          <div className="row">
            <button className="btn" type="button" disabled={BATCH_DONE.includes(b.state) || cancel.isPending} onClick={() => cancel.mutate()} data-testid="batch-cancel">Cancel batch</button>
            <button className="btn" type="button" disabled={failedOrCanceled === 0 || retry.isPending} onClick={() => retry.mutate()} data-testid="batch-retry">Retry failed and canceled</button>
          </div>
          <ErrorNote error={cancel.error ?? retry.error} />
          <table className="table table--stack" data-testid="batch-jobs">
            <thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Video</th></tr></thead>
            <tbody>
              {(b.jobs ?? []).map((j) => (
                <tr key={j.id}>
                  <td><Link to={`/create?job=${j.id}`}>{j.title || (j.prompt ?? "").slice(0, 60) || `Job ${j.id}`}</Link>
                    {j.error && <p className="error-text" style={{ margin: 0 }}>{j.error}</p>}</td>
                  <td data-label="State"><StateBadge state={j.status ?? "queued"} /></td>
                  <td data-label="Progress"><ProgressBar value={j.progress ?? 0} label={`Progress of job ${j.id}`} /></td>
                  <td data-label="Video">{j.content_id ? <Link to={`/watch/${j.content_id}`}>Watch</Link> : <span className="muted">–</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
