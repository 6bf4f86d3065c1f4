import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "../../components/Dialog";
import { ErrorNote } from "../../components/ui";
import { heartbeatAge } from "./workers";
import { deviceLabel, sessionsApi, sessionsKey, type SignInSession } from "./sessions";

/**
 * Sessions: the account's live signed-token sign-ins (apps and scripts that traded a session or
 * an API token for access + refresh tokens), each with when it was made, last refreshed and its
 * device; sign one out, or every one but this browser's.
 */
export function SessionsCard({ client = sessionsApi(), now = () => Date.now() }: { client?: ReturnType<typeof sessionsApi>; now?: () => number }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: sessionsKey, queryFn: client.list, refetchInterval: 30000 });
  const [toRevoke, setToRevoke] = useState<SignInSession | null>(null);
  const [askOthers, setAskOthers] = useState(false);
  const done = () => qc.invalidateQueries({ queryKey: sessionsKey });
  const revoke = useMutation({ mutationFn: (family: string) => client.revoke(family), onSuccess: done });
  const others = useMutation({ mutationFn: () => client.revokeOthers(), onSuccess: done });
  const items = list.data?.items ?? [];
  const otherCount = items.filter((s) => !s.current).length;
  const at = now();
  const age = (iso: string | undefined) => (iso ? heartbeatAge(Date.parse(iso), at) : "—");
  return (
    <section className="card stack" aria-labelledby="s-sessions" data-testid="sessions-card">
      <h2 id="s-sessions">Sessions</h2>
      <p className="small muted">Apps and scripts signed in with short-lived access tokens (<code>POST /api/v1/auth/token</code>). Signing one out stops its tokens at once.</p>
      <ErrorNote error={list.error ?? revoke.error ?? others.error} />
      {list.isSuccess && items.length === 0 && <p className="small muted" data-testid="sessions-empty">No signed-in apps.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="sessions-table">
            <thead><tr><th scope="col">Device</th><th scope="col">Name</th><th scope="col">Signed in</th><th scope="col">Last used</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.family} data-testid={`session-${s.family}`}>
                  <td title={s.user_agent || undefined}>{deviceLabel(s.user_agent)}{s.current && <span className="badge badge--ok"> this browser</span>}</td>
                  <td>{s.name || <span className="muted">{s.source === "api_token" ? "from an API token" : "from a sign-in"}</span>}</td>
                  <td title={s.created_at}>{age(s.created_at)}</td>
                  <td title={s.last_used_at}>{age(s.last_used_at ?? s.created_at)}</td>
                  <td><button className="btn btn--danger btn--sm" onClick={() => setToRevoke(s)} aria-label={`Sign out ${s.name || deviceLabel(s.user_agent)} (${s.family})`}>Sign out this session</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {otherCount > 0 && (
        <div className="row"><button className="btn" onClick={() => setAskOthers(true)} disabled={others.isPending} data-testid="sessions-signout-others">Sign out everywhere else</button></div>
      )}
      {others.data && Array.isArray(others.data.revoked) && (
        <p role="status" className="small" data-testid="sessions-signed-out">Signed out {others.data.revoked.length} session{others.data.revoked.length === 1 ? "" : "s"}.</p>
      )}
      <ConfirmDialog open={!!toRevoke} title={`Sign out “${toRevoke ? toRevoke.name || deviceLabel(toRevoke.user_agent) : ""}”?`} confirmLabel="Sign out" danger
        onCancel={() => setToRevoke(null)} onConfirm={() => { if (toRevoke) revoke.mutate(toRevoke.family); setToRevoke(null); }}>
        <p>Its refresh token and access tokens stop working; the app has to sign in again.</p>
      </ConfirmDialog>
      <ConfirmDialog open={askOthers} title="Sign out everywhere else?" confirmLabel="Sign out the others" danger
        onCancel={() => setAskOthers(false)} onConfirm={() => { others.mutate(); setAskOthers(false); }}>
        <p>Every other app and script signed in to this account has to sign in again. This browser stays signed in.</p>
      </ConfirmDialog>
    </section>
  );
}
