import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { useTitle } from "../../app/title";
import { ConfirmDialog } from "../../components/Dialog";
import { ErrorNote } from "../../components/ui";
import { moderationApi, moderationKeys, type FlaggedItem } from "./api";

/**
 * The review list: flagged items (hidden from LiveLoop and from sharing) with Approve and
 * Delete, and the audit log of publish, share, flag, approve and delete below.
 */
export function ReviewPage() {
  useTitle("Review");
  const flagged = useQuery({ queryKey: moderationKeys.flagged, queryFn: moderationApi.flagged });
  const audit = useQuery({ queryKey: moderationKeys.audit, queryFn: () => moderationApi.audit(50) });
  const items = flagged.data?.items ?? [];
  return (
    <section className="stack">
      <h1 className="h2">Review</h1>
      <p className="muted">Flagged items stay off LiveLoop and private until you approve them.</p>
      <ErrorNote error={flagged.error} />
      {flagged.isSuccess && items.length === 0 && <p data-testid="review-empty">Nothing is waiting for review.</p>}
      <ul className="stack" data-testid="review-list" style={{ listStyle: "none", padding: 0 }}>
        {items.map((it) => <FlaggedRow key={it.content_id} item={it} />)}
      </ul>
      <h2 className="h3">Audit log</h2>
      <ErrorNote error={audit.error} />
      <table className="table" data-testid="audit-log">
        <thead><tr><th>When</th><th>Who</th><th>What</th><th>Item</th><th>Detail</th></tr></thead>
        <tbody>
          {(audit.data?.items ?? []).map((a) => (
            <tr key={a.id} data-testid="audit-line">
              <td>{new Date(a.at).toLocaleString()}</td><td>{a.user || `user ${a.user_id}`}</td>
              <td>{a.action}</td><td>{a.content_id}</td><td>{a.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function FlaggedRow({ item }: { item: FlaggedItem }) {
  const qc = useQueryClient();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const done = () => {
    void qc.invalidateQueries({ queryKey: ["moderation"] });
    void qc.invalidateQueries({ queryKey: ["content"] });
  };
  const approve = useMutation({ mutationFn: () => moderationApi.approve(item.content_id), onSuccess: done });
  const remove = useMutation({ mutationFn: () => moderationApi.remove(item.content_id), onSuccess: () => { setConfirmDelete(false); done(); } });
  return (
    <li className="card row row--between" data-testid="review-item">
      <div className="stack" style={{ gap: "var(--space-1)" }}>
        <Link to={`/library/${item.content_id}`}>{item.title || `Item ${item.content_id}`}</Link>
        <span className="small" data-testid="review-reason">Flagged: {item.reason}</span>
      </div>
      <div className="row">
        <button type="button" className="btn btn--sm btn--primary" disabled={approve.isPending} onClick={() => approve.mutate()}>Approve</button>
        <button type="button" className="btn btn--sm btn--danger" onClick={() => setConfirmDelete(true)}>Delete</button>
      </div>
      <ErrorNote error={approve.error} />
      <ConfirmDialog open={confirmDelete} title={`Delete “${item.title}”?`} confirmLabel="Delete" danger
        onCancel={() => setConfirmDelete(false)} onConfirm={() => remove.mutate()}>
        <p>The item and its files are removed for good.</p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
    </li>
  );
}
