import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { ConfirmDialog } from "../../components/Dialog";
import { CopyButton, ErrorNote } from "../../components/ui";
import { heartbeatAge, stateBadge, stateLabel, workerCommand, workersApi, workersKey, type RegistrationToken } from "./workers";

/**
 * Remote workers (`beacon worker --server URL --token T`): each worker's host, state, last
 * heartbeat and current job, refreshed every 5 s; registration tokens to create and revoke.
 */
export function WorkersCard({ client = workersApi(), now = () => Date.now() }: { client?: ReturnType<typeof workersApi>; now?: () => number }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: workersKey, queryFn: client.list, refetchInterval: 5000 });
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<string | null>(null);
  const [toRevoke, setToRevoke] = useState<RegistrationToken | null>(null);
  const create = useMutation({
    mutationFn: () => client.createToken(name.trim()),
    onSuccess: (t) => { setFresh(t.token); setName(""); void qc.invalidateQueries({ queryKey: workersKey }); },
  });
  const revoke = useMutation({ mutationFn: (id: number) => client.revokeToken(id), onSuccess: () => qc.invalidateQueries({ queryKey: workersKey }) });
  const workers = list.data?.workers ?? [];
  const tokens = list.data?.tokens ?? [];
  const at = now();
  return (
    <section className="card stack" aria-labelledby="s-workers" data-testid="workers-card">
      <h2 id="s-workers">Workers</h2>
      <p className="small muted">Machines that render for this studio over HTTP with <code>beacon worker --server</code>. A worker silent for {list.data?.silent_after_seconds ?? "…"} s loses its job to the queue.</p>
      <ErrorNote error={list.error ?? create.error ?? revoke.error} />
      {workers.length === 0 ? <p className="small muted" data-testid="workers-empty">No remote workers yet.</p> : (
        <div className="table-wrap">
          <table className="table" data-testid="workers-table">
            <thead><tr><th scope="col">Worker</th><th scope="col">Host</th><th scope="col">State</th><th scope="col">Last heartbeat</th><th scope="col">Current job</th><th scope="col">Done</th></tr></thead>
            <tbody>
              {workers.map((w) => (
                <tr key={w.id} data-testid={`worker-${w.id}`}>
                  <td>{w.name}</td>
                  <td>{w.host}</td>
                  <td><span className={`badge ${stateBadge(w.state)}`}>{stateLabel(w.state)}</span></td>
                  <td title={w.last_heartbeat}>{heartbeatAge(w.last_heartbeat_ms, at)}</td>
                  <td>{w.current_job ? <Link to="/jobs">job {w.current_job}</Link> : <span className="muted">—</span>}</td>
                  <td>{w.jobs_done}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Registration tokens</h3>
      <form className="row" onSubmit={(e) => { e.preventDefault(); if (name.trim()) create.mutate(); }}>
        <label className="visually-hidden" htmlFor="wtok-name">Registration token name</label>
        <input id="wtok-name" className="input" style={{ flex: 1 }} placeholder="Name, e.g. GPU box in the attic" value={name} onChange={(e) => setName(e.target.value)} />
        <button className="btn btn--primary" type="submit" disabled={!name.trim() || create.isPending}>Create token</button>
      </form>
      {fresh && (
        <div role="status" className="stack" style={{ gap: "var(--space-1)" }}>
          <p className="small" style={{ margin: 0 }}>Copy it now — it is shown once. On the worker machine run:</p>
          <p className="secret" data-testid="new-worker-command" style={{ margin: 0 }}>{workerCommand(window.location.origin, fresh)}</p>
          <CopyButton text={workerCommand(window.location.origin, fresh)} label="command" />
        </div>
      )}
      <ul className="plist" data-testid="worker-tokens">
        {tokens.map((t) => (
          <li key={t.id}><span className="plist__title">{t.name}<span className="muted small"> · {t.workers} worker{t.workers === 1 ? "" : "s"}{t.revoked ? " · revoked" : ""}</span></span>
            {!t.revoked && <button className="btn btn--danger btn--sm" onClick={() => setToRevoke(t)} aria-label={`Revoke ${t.name}`}>Revoke</button>}</li>
        ))}
      </ul>
      {tokens.length === 0 && <p className="small muted">No registration tokens.</p>}
      <ConfirmDialog open={!!toRevoke} title={`Revoke “${toRevoke?.name ?? ""}”?`} confirmLabel="Revoke" danger
        onCancel={() => setToRevoke(null)} onConfirm={() => { if (toRevoke) revoke.mutate(toRevoke.id); setToRevoke(null); }}>
        <p>Every worker registered with it is refused from its next call; a job it was running goes back to the queue.</p>
      </ConfirmDialog>
    </section>
  );
}
