import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import { setTheme, useThemeChoice } from "../../app/theme";
import { ConfirmDialog } from "../../components/Dialog";
import { CopyButton, ErrorNote } from "../../components/ui";
import type { ApiToken } from "../../api/types";
import { WorkersCard } from "./WorkersCard";
import { SessionsCard } from "./SessionsCard";
import { CAPTION_SIZES, CAPTION_STYLES, loadCaptionSettings, saveCaptionSettings, type CaptionSettings } from "../player";

/** Settings: theme, caption defaults, engines status, account (password, API tokens, stream key). */
export default function SettingsPage() {
  const choice = useThemeChoice();
  const [cap, setCap] = useState<CaptionSettings>(() => loadCaptionSettings());
  const updateCap = (p: Partial<CaptionSettings>) => {
    const n = { ...cap, ...p };
    setCap(n);
    saveCaptionSettings(n);
  };
  const engines = useQuery({ queryKey: qk.engines, queryFn: api.engines });
  return (
    <div>
      <div className="page-head"><h1>Settings</h1></div>
      <div className="settings">
        <section className="card stack" aria-labelledby="s-appearance">
          <h2 id="s-appearance">Appearance</h2>
          <fieldset className="row" style={{ border: 0, padding: 0, margin: 0 }}>
            <legend className="small muted">Theme</legend>
            <label className="check"><input type="radio" name="theme" value="system" checked={choice === "system"} onChange={() => setTheme(null)} data-testid="theme-system" />Follow the system</label>
            <label className="check"><input type="radio" name="theme" value="dark" checked={choice === "dark"} onChange={() => setTheme("dark")} data-testid="theme-dark" />Dark teal</label>
            <label className="check"><input type="radio" name="theme" value="light" checked={choice === "light"} onChange={() => setTheme("light")} data-testid="theme-light" />Cream</label>
          </fieldset>
          <h3>Caption defaults</h3>
          <label className="check"><input type="checkbox" checked={cap.enabled} onChange={(e) => updateCap({ enabled: e.target.checked })} />Show captions</label>
          <div className="grid-2">
            <label className="field"><span>Size</span>
              <select className="input" value={cap.size} onChange={(e) => updateCap({ size: e.target.value as CaptionSettings["size"] })}>
                {CAPTION_SIZES.map((s) => <option key={s} value={s}>{s === "xlarge" ? "extra large" : s}</option>)}
              </select></label>
            <label className="field"><span>Contrast</span>
              <select className="input" value={cap.style} onChange={(e) => updateCap({ style: e.target.value as CaptionSettings["style"] })}>
                {CAPTION_STYLES.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
              </select></label>
          </div>
        </section>

        <section className="card stack" aria-labelledby="s-engines">
          <h2 id="s-engines">Engines</h2>
          <p className="small muted">What <code>beacon doctor</code> reports. Built-in engines run locally in place of an AI service.</p>
          <ErrorNote error={engines.error} />
          <div className="table-wrap">
            <table className="table" data-testid="engines-table">
              <thead><tr><th scope="col">Capability</th><th scope="col">Engine</th><th scope="col">Status</th></tr></thead>
              <tbody>
                {engines.data?.items.map((e) => (
                  <tr key={e.capability}>
                    <td>{e.capability}</td>
                    <td>{e.engine} {e.builtin && <span className="badge badge--builtin">built-in</span>}</td>
                    <td><span className={`badge ${e.ok ? "badge--ok" : "badge--bad"}`}>{e.ok ? "ready" : "problem"}</span>
                      {e.detail && <div className="small muted">{e.detail}</div>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <StorageCard />

        <PasswordCard />
        <TokensCard />
        <SessionsCard />
        <StreamKeyCard />
        <WorkersCard />
      </div>
    </div>
  );
}

function PasswordCard() {
  const [cur, setCur] = useState("");
  const [next, setNext] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const change = useMutation({ mutationFn: () => api.changePassword(cur, next), onSuccess: () => { setCur(""); setNext(""); } });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (next.length < 8) return setErr("The new password needs at least 8 characters.");
    setErr(null);
    change.mutate();
  };
  return (
    <form className="card stack" onSubmit={onSubmit} aria-labelledby="s-pw">
      <h2 id="s-pw">Password</h2>
      <label className="field"><span>Current password</span><input className="input" type="password" autoComplete="current-password" value={cur} onChange={(e) => setCur(e.target.value)} required /></label>
      <label className="field"><span>New password</span><input className="input" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required /></label>
      {err && <p className="error-text" role="alert">{err}</p>}
      <ErrorNote error={change.error} />
      {change.isSuccess && <p className="small" role="status">Password changed.</p>}
      <button className="btn btn--primary" type="submit" disabled={change.isPending}>Change password</button>
    </form>
  );
}

function TokensCard() {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: qk.tokens, queryFn: api.tokens });
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api.createToken(name.trim()),
    onSuccess: (t) => { setFresh(t.token ?? null); setName(""); void qc.invalidateQueries({ queryKey: qk.tokens }); },
  });
  const revoke = useMutation({ mutationFn: (id: number) => api.revokeToken(id), onSuccess: () => qc.invalidateQueries({ queryKey: qk.tokens }) });
  const [toRevoke, setToRevoke] = useState<ApiToken | null>(null);
  return (
    <section className="card stack" aria-labelledby="s-tokens">
      <h2 id="s-tokens">API tokens</h2>
      <form className="row" onSubmit={(e) => { e.preventDefault(); if (name.trim()) create.mutate(); }}>
        <label className="visually-hidden" htmlFor="tok-name">Token name</label>
        <input id="tok-name" className="input" style={{ flex: 1 }} placeholder="Token name, e.g. laptop script" value={name} onChange={(e) => setName(e.target.value)} />
        <button className="btn btn--primary" type="submit" disabled={!name.trim() || create.isPending}>Create</button>
      </form>
      {fresh && (
        <div role="status" className="stack" style={{ gap: "var(--space-1)" }}>
          <p className="small" style={{ margin: 0 }}>Copy this token now — it is shown once:</p>
          <p className="secret" data-testid="new-token" style={{ margin: 0 }}>{fresh}</p>
          <CopyButton text={fresh} label="token" />
        </div>
      )}
      <ErrorNote error={tokens.error ?? create.error ?? revoke.error} />
      <ul className="plist">
        {tokens.data?.items.map((t) => (
          <li key={t.id}><span className="plist__title">{t.name}{t.created_at ? <span className="muted small"> · {new Date(t.created_at).toLocaleDateString()}</span> : null}</span>
            <button className="btn btn--danger btn--sm" onClick={() => setToRevoke(t)} aria-label={`Revoke ${t.name}`}>Revoke</button></li>
        ))}
      </ul>
      {tokens.data?.items.length === 0 && <p className="small muted">No tokens.</p>}
      <ConfirmDialog open={!!toRevoke} title={`Revoke “${toRevoke?.name ?? ""}”?`} confirmLabel="Revoke" danger
        onCancel={() => setToRevoke(null)} onConfirm={() => { if (toRevoke) revoke.mutate(toRevoke.id); setToRevoke(null); }}>
        <p>Scripts and tools using this token lose access at once. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

function StreamKeyCard() {
  const qc = useQueryClient();
  const key = useQuery({ queryKey: qk.streamKey, queryFn: api.streamKey });
  const [shown, setShown] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const rotate = useMutation({ mutationFn: api.rotateStreamKey, onSuccess: (k) => qc.setQueryData(qk.streamKey, k) });
  return (
    <section className="card stack" aria-labelledby="s-key">
      <h2 id="s-key">Stream key</h2>
      <p className="small muted">A read-only key for IPTV players (VLC, Kodi, Jellyfin). It opens your channels and guide, nothing else.</p>
      <ErrorNote error={key.error ?? rotate.error} />
      {key.data && (
        <>
          <p className="secret" data-testid="stream-key">{shown ? key.data.key : "•".repeat(24)}</p>
          <dl className="kv">
            <dt>M3U</dt><dd><p className="secret" style={{ margin: 0 }}>{shown ? key.data.m3u_url : "hidden"}</p><CopyButton text={key.data.m3u_url} label="M3U URL" /></dd>
            <dt>Guide</dt><dd><p className="secret" style={{ margin: 0 }}>{shown ? key.data.guide_url : "hidden"}</p><CopyButton text={key.data.guide_url} label="guide URL" /></dd>
          </dl>
        </>
      )}
      <div className="row">
        <button className="btn btn--sm" onClick={() => setShown((s) => !s)} aria-pressed={shown}>{shown ? "Hide" : "Show"}</button>
        <button className="btn btn--danger btn--sm" onClick={() => setConfirm(true)}>Rotate key</button>
      </div>
      <ConfirmDialog open={confirm} title="Rotate the stream key?" confirmLabel="Rotate" danger onCancel={() => setConfirm(false)}
        onConfirm={() => { setConfirm(false); rotate.mutate(); }}>
        <p>Players using the old M3U or guide links stop working until you give them the new ones.</p>
      </ConfirmDialog>
    </section>
  );
}

/** Free space where jobs write (what `beacon doctor` also shows), and the reserve. */
function StorageCard() {
  const system = useQuery({ queryKey: qk.system, queryFn: api.system, refetchInterval: 60_000 });
  const disk = system.data?.disk;
  const gib = (mb: number) => (mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb} MB`);
  return (
    <section className="card stack" aria-labelledby="s-storage">
      <h2 id="s-storage">Storage</h2>
      <ErrorNote error={system.error} />
      {system.data && !disk && <p className="small muted">This server runs no job workers.</p>}
      {disk && (
        <>
          <p className="small" data-testid="storage-state">
            {disk.accepting_jobs
              ? `New jobs are accepted while every folder keeps ${gib(disk.min_free_mb)} free.`
              : `New jobs are refused: a folder has less than ${gib(disk.min_free_mb)} free. Free some space (delete library items or old files).`}
          </p>
          <div className="table-wrap">
            <table className="table" data-testid="storage-table">
              <thead><tr><th scope="col">Folder</th><th scope="col">Free</th><th scope="col">Size</th></tr></thead>
              <tbody>
                {disk.folders.map((f) => (
                  <tr key={f.path}>
                    <td><code>{f.path}</code></td>
                    <td><span className={`badge ${f.free_mb >= disk.min_free_mb ? "badge--ok" : "badge--bad"}`}>{gib(f.free_mb)}</span></td>
                    <td>{gib(f.total_mb)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
