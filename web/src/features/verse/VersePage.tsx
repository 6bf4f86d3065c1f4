import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { ErrorNote } from "../../components/ui";
import { ensureCsrf, verseApi, type TemplateInfo, type WorldSummary } from "./api";
import "./verse.css";

/** Verse: the user's worlds and the templates a new one starts from. */
export default function VersePage() {
  const [worlds, setWorlds] = useState<WorldSummary[] | null>(null);
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [title, setTitle] = useState("");
  const [template, setTemplate] = useState("lighthouse-coast");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  useEffect(() => {
    Promise.all([verseApi.list(), verseApi.templates()])
      .then(([w, t]) => {
        setWorlds(w.items);
        setTemplates(t.items);
      })
      .catch(setError);
  }, []);
  const create = async () => {
    setBusy(true);
    try {
      await ensureCsrf();
      const w = await verseApi.create(title.trim() || "Untitled world", template);
      navigate(`/verse/${w.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack">
      <div className="page-head"><h1>Verse</h1><p className="muted">3D worlds: start from a template, edit, share a read-only link.</p></div>
      {error ? <ErrorNote error={error} /> : null}
      <section className="card stack" aria-labelledby="verse-new">
        <h2 id="verse-new">New world</h2>
        <div className="row">
          <label className="field"><span>Title</span>
            <input data-testid="verse-title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} placeholder="My world" />
          </label>
          <label className="field"><span>Template</span>
            <select data-testid="verse-template" value={template} onChange={(e) => setTemplate(e.target.value)}>
              {templates.map((t) => <option key={t.id} value={t.id}>{t.title}</option>)}
            </select>
          </label>
          <button type="button" className="btn btn--primary" data-testid="verse-create" disabled={busy} onClick={create}>Create world</button>
        </div>
        <p className="muted">{templates.find((t) => t.id === template)?.description}</p>
      </section>
      <section className="stack" aria-labelledby="verse-mine">
        <h2 id="verse-mine">Your worlds</h2>
        {worlds === null ? <p className="muted">Loading…</p> : worlds.length === 0 ? <p className="muted">No worlds yet.</p> : (
          <ul className="verse-list" role="list">
            {worlds.map((w) => (
              <li key={w.id} className="card">
                <Link to={`/verse/${w.id}`}>{w.title}</Link>
                <div className="muted">revision {w.revision} · {new Date(w.updated_at).toLocaleString()}</div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
