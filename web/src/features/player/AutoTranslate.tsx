import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, ApiError } from "../../api/client";
import { qk } from "../../api/keys";

/**
 * In the captions menu: subtitles in a language the item has no track for, machine-translated
 * on demand (a captions-only localize job), then kept with the item and listed like the others.
 * `onReady` picks the new language once its captions exist.
 */
export function AutoTranslate({ contentId, onReady }: { contentId: number; onReady: (lang: string) => void }) {
  const qc = useQueryClient();
  const langs = useQuery({
    queryKey: qk.contentLanguages(contentId),
    queryFn: () => api.itemLanguages(contentId),
    retry: false,
  });
  const [job, setJob] = useState<{ id: number; lang: string } | null>(null);
  const [error, setError] = useState("");
  const running = useQuery({
    queryKey: qk.jobRow(job?.id ?? 0),
    queryFn: () => api.jobRow(job?.id ?? 0),
    enabled: job !== null,
    refetchInterval: (q) => (["completed", "failed", "canceled"].includes(q.state.data?.status ?? "") ? false : 1500),
  });
  const status = running.data?.status;
  useEffect(() => {
    if (!job || !status) return;
    if (status === "completed") {
      void qc.invalidateQueries({ queryKey: qk.contentItem(contentId) });
      void qc.invalidateQueries({ queryKey: qk.contentLanguages(contentId) });
      onReady(job.lang);
      setJob(null);
    } else if (status === "failed" || status === "canceled") {
      setError(running.data?.error?.message ?? `translation ${status}`);
      setJob(null);
    }
  }, [status, job, qc, contentId, onReady, running.data]);
  if (!langs.data) return null;
  const have = new Set(langs.data.languages.map((l) => l.language));
  const offer = langs.data.targets.filter((t) => !have.has(t.language));
  if (offer.length === 0 && !job) return null;
  const start = async (lang: string) => {
    setError("");
    try {
      const r = await api.addLanguage(contentId, { language: lang, captions_only: true });
      setJob({ id: r.job_id, lang });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <div className="stack" style={{ gap: "var(--space-1)" }} data-testid="auto-translate">
      <label className="field"><span>Auto-translated subtitles</span>
        <select className="input" value="" disabled={job !== null} onChange={(e) => e.target.value && void start(e.target.value)}>
          <option value="">{job ? `Translating… ${running.data?.progress ?? 0}%` : "Choose a language"}</option>
          {offer.map((t) => <option key={t.language} value={t.language}>{t.name} (machine translation)</option>)}
        </select></label>
      {error && <p className="small" role="alert">{error}</p>}
    </div>
  );
}
