import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../../api/client";
import type { JobState } from "../../api/types";
import { qk } from "../../api/keys";
import { formatAge } from "../../components/format";
import { Empty, ErrorNote, ProgressBar, StateBadge } from "../../components/ui";

const PAGE = 50;
const STATES = ["", "queued", "generating_script", "rendering_preview", "rendering_final", "composing", "completed", "failed", "canceled"];

/** Every job with its state, progress and age; failed ones say why in words. */
export function JobsPage() {
  const [state, setState] = useState("");
  const [offset, setOffset] = useState(0);
  const params = { state: (state || undefined) as JobState | undefined, limit: PAGE, offset };
  const jobs = useQuery({ queryKey: qk.jobs(params), queryFn: () => api.jobs(params), placeholderData: keepPreviousData });
  const total = jobs.data?.total ?? 0;
  return (
    <div>
      <div className="page-head">
        <h1>Jobs</h1>
        <label className="field">
          <span>State</span>
          <select className="input" value={state} data-testid="jobs-state-filter" onChange={(e) => { setState(e.target.value); setOffset(0); }}>
            {STATES.map((s) => <option key={s} value={s}>{s ? s.replace(/_/g, " ") : "All states"}</option>)}
          </select>
        </label>
      </div>
      <ErrorNote error={jobs.error} />
      {jobs.data && jobs.data.items.length === 0 && (state ? (
        <Empty>
          <p data-testid="jobs-empty">No {state.replace(/_/g, " ")} jobs.</p>
          <button type="button" className="btn btn--primary" onClick={() => { setState(""); setOffset(0); }}>Show all jobs</button>
        </Empty>
      ) : (
        <Empty><p data-testid="jobs-empty">No jobs yet.</p><Link className="btn btn--cta" to="/create">Create something</Link></Empty>
      ))}
      {jobs.data && jobs.data.items.length > 0 && (
        <div className="card table-wrap">
          <table className="table table--stack" data-testid="jobs-table">
            <thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col" style={{ minWidth: "8rem" }}>Progress</th><th scope="col">Age</th></tr></thead>
            <tbody>
              {jobs.data.items.map((j) => (
                <tr key={j.id}>
                  <td>
                    <Link to={`/create?job=${j.id}`}>{j.title || j.prompt.slice(0, 60) || `Job ${j.id}`}</Link>
                    {j.status === "failed" && j.error && <p className="error-text" style={{ margin: 0 }}>{j.error.message}</p>}
                  </td>
                  <td data-label="State"><StateBadge state={j.status} /></td>
                  <td data-label="Progress"><ProgressBar value={j.progress} label={`Progress of job ${j.id}`} /><span className="small muted">{j.progress}%</span></td>
                  <td data-label="Age" className="small muted"><time dateTime={j.created_at}>{formatAge(j.created_at)}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > PAGE && (
        <nav className="pager" aria-label="Pages">
          <button className="btn btn--sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button>
          <span className="small muted">{offset + 1}–{Math.min(total, offset + PAGE)} of {total}</span>
          <button className="btn btn--sm" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Older</button>
        </nav>
      )}
    </div>
  );
}
