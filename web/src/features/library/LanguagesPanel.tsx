import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import type { ItemLanguage, ItemLanguages } from "../../api/types";
import { ErrorNote } from "../../components/ui";

export type { ItemLanguage, ItemLanguages };

export const languagesKey = qk.contentLanguages;

/** Targets the item can still gain: reachable and not already present. */
export function missingTargets(data: ItemLanguages): { language: string; name: string }[] {
  const have = new Set(data.languages.map((l) => l.language));
  return data.targets.filter((t) => !have.has(t.language));
}

/** What a language carries, in words ("Dub · Captions · machine translation"). */
export function describeLanguage(l: ItemLanguage): string {
  const parts: string[] = [];
  if (l.original) parts.push("Original");
  if (l.dub && !l.original) parts.push("Dub");
  if (l.captions) parts.push("Captions");
  if (l.machine_translated) parts.push("machine translation");
  return parts.join(" · ");
}

/**
 * An item's languages: the original and every added dub or captions-only language, with the
 * engines that made them; add one (a localize job, its progress shown here) or remove one.
 */
export function LanguagesPanel({ contentId }: { contentId: number }) {
  const qc = useQueryClient();
  const langs = useQuery({ queryKey: languagesKey(contentId), queryFn: () => api.itemLanguages(contentId) });
  const [target, setTarget] = useState("");
  const [captionsOnly, setCaptionsOnly] = useState(false);
  const [jobId, setJobId] = useState<number | null>(null);
  const job = useQuery({
    // The job row only (its events also refresh qk.job; this panel needs status and progress).
    queryKey: qk.jobRow(jobId ?? 0),
    queryFn: () => api.jobRow(jobId ?? 0),
    enabled: jobId !== null,
    refetchInterval: (q) => {
      const s = q.state.data?.status;
      return s === "completed" || s === "failed" || s === "canceled" ? false : 1500;
    },
  });
  const status = jobId !== null ? job.data?.status : undefined;
  useEffect(() => {
    if (status === "completed") {
      void qc.invalidateQueries({ queryKey: languagesKey(contentId) });
      void qc.invalidateQueries({ queryKey: qk.contentItem(contentId) });
    }
  }, [status, qc, contentId]);
  const add = useMutation({
    mutationFn: () => api.addLanguage(contentId, { language: target, captions_only: captionsOnly }),
    onSuccess: (r) => setJobId(r.job_id),
  });
  const remove = useMutation({
    mutationFn: (lang: string) => api.removeLanguage(contentId, lang),
    onSuccess: (data) => {
      qc.setQueryData(languagesKey(contentId), data);
      void qc.invalidateQueries({ queryKey: qk.contentItem(contentId) });
    },
  });
  const data = langs.data;
  const choices = useMemo(() => (data ? missingTargets(data) : []), [data]);
  useEffect(() => {
    if (choices.length && !choices.some((c) => c.language === target)) setTarget(choices[0].language);
  }, [choices, target]);
  const running = jobId !== null && status !== undefined && !["completed", "failed", "canceled"].includes(status);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (target) add.mutate();
  };
  return (
    <section className="card stack" aria-labelledby="langs-h" data-testid="languages-panel">
      <h2 id="langs-h">Languages</h2>
      <ErrorNote error={langs.error} />
      <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0, gap: "var(--space-2)" }}>
        {(data?.languages ?? []).map((l) => (
          <li key={l.language} className="row row--between" data-testid={`language-${l.language}`}>
            <div>
              <strong>{l.name || l.language}</strong> <span className="muted small mono">{l.language}</span>
              <div className="small">{describeLanguage(l)}</div>
              {l.engines && (l.engines.translation || l.engines.voice) ? (
                <div className="muted small">
                  {[l.engines.translation && `translated by ${l.engines.translation}`, l.engines.voice && `voiced by ${l.engines.voice}`].filter(Boolean).join(", ")}
                </div>
              ) : null}
            </div>
            {!l.original && (
              <button type="button" className="btn btn--sm btn--danger" disabled={remove.isPending} onClick={() => remove.mutate(l.language)}
                aria-label={`Remove ${l.name || l.language}`}>Remove</button>
            )}
          </li>
        ))}
      </ul>
      <ErrorNote error={remove.error} />
      {data && choices.length === 0 && <p className="muted small">No other language can be added with the configured translator.</p>}
      {choices.length > 0 && (
        <form className="stack" onSubmit={onSubmit} data-testid="add-language">
          <label className="field"><span>Add a language</span>
            <select className="input" name="language" value={target} onChange={(e) => setTarget(e.target.value)} disabled={running}>
              {choices.map((c) => <option key={c.language} value={c.language}>{c.name} ({c.language})</option>)}
            </select></label>
          <label className="row small"><input type="checkbox" name="captions_only" checked={captionsOnly} onChange={(e) => setCaptionsOnly(e.target.checked)} disabled={running} />Captions only (no dub)</label>
          <button className="btn btn--primary btn--sm" type="submit" disabled={!target || running || add.isPending} style={{ alignSelf: "start" }}>
            {running ? "Adding…" : "Add language"}
          </button>
        </form>
      )}
      <ErrorNote error={add.error} />
      {jobId !== null && job.data && (
        <div className="stack" data-testid="language-job">
          <progress max={100} value={job.data.progress} aria-label="Adding the language" />
          <span className="small" role="status">
            {status === "completed" ? "Language added." : status === "failed" ? `Failed: ${job.data.error?.message ?? job.data.error_log ?? "unknown error"}` : `${status} · ${job.data.progress}%`}
          </span>
        </div>
      )}
    </section>
  );
}
