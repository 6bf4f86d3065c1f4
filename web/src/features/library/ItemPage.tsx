import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import type { Asset, Content, ContentPatch, Page } from "../../api/types";
import { useTitle } from "../../app/title";
import { ConfirmDialog } from "../../components/Dialog";
import { formatBytes, formatDuration } from "../../components/format";
import { IconDownload, IconLive, IconPlay, IconTrash } from "../../components/icons";
import { ErrorNote, isNotFound, NotFound } from "../../components/ui";
import { LanguagesPanel } from "./LanguagesPanel";
import { FlagButton } from "../moderation";
import { EntityPanel } from "../wiki";
import { groupProvenance, revisionOf } from "./provenance";

type SceneLike = { description?: string; lines?: string[]; duration?: number };

/** Puts a changed item into every cached view of it (lists and the item itself). */
function useItemCache(id: number) {
  const qc = useQueryClient();
  return (patch: Partial<Content>) => {
    for (const [key, p] of qc.getQueriesData<Page<Content>>({ queryKey: qk.contentAll })) {
      if (p?.items?.some((x) => x.id === id)) qc.setQueryData(key, { ...p, items: p.items.map((x) => (x.id === id ? { ...x, ...patch } : x)) });
    }
    qc.setQueryData<Content>(qk.contentItem(id), (old) => (old ? { ...old, ...patch } : old));
  };
}

/**
 * One library item: poster, metadata (editable: title, description, visibility), LiveLoop
 * publishing, delete, script, transcript, provenance grouped by stage, downloads.
 */
export function ItemPage() {
  const id = Number(useParams().id);
  const item = useQuery({ queryKey: qk.contentItem(id), queryFn: () => api.contentItem(id), enabled: id > 0 });
  const assets = useQuery({ queryKey: qk.contentAssets(id), queryFn: () => api.contentAssets(id), enabled: id > 0 && !item.error });
  useTitle(item.data?.title || (item.error ? "Item not found" : undefined));
  if (!(id > 0) || isNotFound(item.error)) return <NotFound what="Library item" back="/library" backLabel="Back to the library" />;
  if (item.error) return <ErrorNote error={item.error} />;
  const c = item.data;
  if (!c) return <p className="muted">Loading…</p>;
  const scenes = ((c.script as { scenes?: SceneLike[] })?.scenes ?? []) as SceneLike[];
  return (
    <div>
      <div className="page-head">
        <h1 data-testid="item-title">{c.title || `Untitled #${c.id}`}</h1>
        <div className="row">
          <Link className="btn btn--cta" to={`/watch/${c.id}`}><IconPlay size={16} />Watch</Link>
          {c.mp4_url && <a className="btn" href={c.mp4_url} download><IconDownload size={16} />MP4</a>}
          {c.vtt_url && <a className="btn" href={c.vtt_url} download><IconDownload size={16} />Captions (VTT)</a>}
        </div>
      </div>
      <div className="item">
        <div className="stack">
          {c.poster || c.thumbnail ? <img className="poster" src={c.poster || c.thumbnail} alt={`Poster of ${c.title}`} /> : null}
          {c.description && <p data-testid="item-description">{c.description}</p>}
          {scenes.length > 0 && (
            <section className="card">
              <h2>Script</h2>
              <ol className="stack" style={{ paddingLeft: "1.25rem", margin: 0 }}>
                {scenes.map((s, i) => (
                  <li key={i}>
                    <p style={{ margin: 0 }}>{s.description}</p>
                    {(s.lines ?? []).map((l, j) => <p key={j} className="muted small" style={{ margin: 0 }}>“{l}”</p>)}
                  </li>
                ))}
              </ol>
            </section>
          )}
          {c.transcript && (
            <section className="card"><h2>Transcript</h2><p className="prose small">{c.transcript}</p></section>
          )}
        </div>
        <aside className="stack">
          <EditCard item={c} />
          <LanguagesPanel contentId={c.id} />
          <EntityPanel contentId={c.id} />
          <section className="card">
            <h2>Details</h2>
            <dl className="kv">
              <dt>Duration</dt><dd>{formatDuration(c.duration)}</dd>
              <dt>Languages</dt><dd>{c.languages.join(", ") || "–"}</dd>
              <dt>Created</dt><dd><time dateTime={c.created_at}>{new Date(c.created_at).toLocaleString()}</time></dd>
              {c.updated_at && c.updated_at !== c.created_at ? <><dt>Updated</dt><dd><time dateTime={c.updated_at}>{new Date(c.updated_at).toLocaleString()}</time></dd></> : null}
              <dt>Prompt</dt><dd>{c.prompt}</dd>
              {c.job_id ? <><dt>Job</dt><dd><Link to={`/create?job=${c.job_id}`}>#{c.job_id}</Link></dd></> : null}
            </dl>
          </section>
          <Provenance assets={assets.data?.items} error={assets.error} />
        </aside>
      </div>
    </div>
  );
}

function EditCard({ item }: { item: Content }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const patchCache = useItemCache(item.id);
  const [title, setTitle] = useState(item.title);
  const [description, setDescription] = useState(item.description ?? "");
  const [visibility, setVisibility] = useState(item.visibility);
  // A change made elsewhere (another tab, the library grid) shows up here unless being edited.
  const dirty = title !== item.title || description !== (item.description ?? "") || visibility !== item.visibility;
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  useEffect(() => {
    if (dirtyRef.current) return;
    setTitle(item.title);
    setDescription(item.description ?? "");
    setVisibility(item.visibility);
  }, [item.title, item.description, item.visibility]);
  const save = useMutation({
    mutationFn: (p: ContentPatch) => api.patchContent(item.id, p),
    onSuccess: (c, p) => patchCache(c && typeof c === "object" && "id" in c ? c : p),
  });
  const live = useMutation({
    mutationFn: (on: boolean) => (on ? api.publish(item.id) : api.unpublish(item.id)),
    onSuccess: (_r, on) => {
      patchCache({ published: on });
      void qc.invalidateQueries({ queryKey: qk.playlists });
    },
  });
  const [confirm, setConfirm] = useState(false);
  const del = useMutation({
    mutationFn: () => api.deleteContent(item.id),
    onSuccess: () => {
      setConfirm(false);
      qc.removeQueries({ queryKey: qk.contentItem(item.id) });
      void qc.invalidateQueries({ queryKey: qk.contentAll });
      if (item.job_id) void qc.invalidateQueries({ queryKey: qk.job(item.job_id) });
      navigate("/library", { state: { deleted: item.title } });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const p: ContentPatch = {};
    if (title.trim() !== item.title) p.title = title.trim();
    if (description !== (item.description ?? "")) p.description = description;
    if (visibility !== item.visibility) p.visibility = visibility;
    if (Object.keys(p).length) save.mutate(p);
  };
  return (
    <section className="card stack" aria-labelledby="edit-h">
      <h2 id="edit-h">Edit</h2>
      <form className="stack" onSubmit={onSubmit} data-testid="item-edit">
        <label className="field"><span>Title</span>
          <input className="input" name="title" value={title} required maxLength={200} onChange={(e) => setTitle(e.target.value)} /></label>
        <label className="field"><span>Description</span>
          <textarea className="input" name="description" value={description} onChange={(e) => setDescription(e.target.value)} /></label>
        <label className="field"><span>Visibility</span>
          <select className="input" name="visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Content["visibility"])}>
            <option value="private">Private</option><option value="public">Public</option>
          </select></label>
        <ErrorNote error={save.error} />
        <div className="row">
          <button className="btn btn--primary btn--sm" type="submit" disabled={!dirty || !title.trim() || save.isPending}>{save.isPending ? "Saving…" : "Save changes"}</button>
          {save.isSuccess && !dirty && <span className="small" role="status">Saved.</span>}
        </div>
      </form>
      <div className="row row--between" style={{ borderTop: "1px solid var(--color-border)", paddingTop: "var(--space-3)" }}>
        <span className="small">{item.published ? "In the LiveLoop rotation" : "Not on LiveLoop"}</span>
        <button type="button" className="btn btn--sm" aria-pressed={item.published} disabled={live.isPending} onClick={() => live.mutate(!item.published)}>
          <IconLive size={14} />{item.published ? "Remove from LiveLoop" : "Publish to LiveLoop"}
        </button>
      </div>
      <ErrorNote error={live.error} />
      <FlagButton contentId={item.id} />
      <button type="button" className="btn btn--danger btn--sm" style={{ alignSelf: "start" }} onClick={() => setConfirm(true)}><IconTrash size={16} />Delete item</button>
      <ConfirmDialog open={confirm} title={`Delete “${item.title}”?`} confirmLabel="Delete" danger onCancel={() => setConfirm(false)} onConfirm={() => del.mutate()}>
        <p>The video, its captions, HLS renditions and assets are removed. If it is on air, LiveLoop drops it from the schedule ahead.</p>
        <ErrorNote error={del.error} />
      </ConfirmDialog>
    </section>
  );
}

function Provenance({ assets, error }: { assets: Asset[] | undefined; error: unknown }) {
  const groups = assets ? groupProvenance(assets) : [];
  const revision = assets ? revisionOf(assets) : 0;
  return (
    <section className="card stack" aria-labelledby="prov-h">
      <div className="row row--between">
        <h2 id="prov-h" style={{ margin: 0 }}>Provenance</h2>
        {revision > 0 && <span className="badge" data-testid="revision">Revision {revision}</span>}
      </div>
      <ErrorNote error={error} />
      <div data-testid="provenance" className="stack" style={{ gap: "var(--space-2)" }}>
        {groups.map((g) => (
          <details key={g.id} className="prov-group" data-testid="provenance-group" open={g.id === "script"}>
            <summary>
              <span>{g.label}</span>
              <span className="muted small">{g.current.length} file{g.current.length === 1 ? "" : "s"}{g.earlier.length ? ` · ${g.earlier.length} earlier` : ""}</span>
            </summary>
            <ul className="prov-list">
              {g.current.map((a) => <AssetRow key={a.id} a={a} />)}
            </ul>
            {g.earlier.length > 0 && (
              <details className="prov-earlier">
                <summary className="small">Earlier revisions ({g.earlier.length})</summary>
                <ul className="prov-list">{g.earlier.map((a) => <AssetRow key={a.id} a={a} />)}</ul>
              </details>
            )}
          </details>
        ))}
      </div>
    </section>
  );
}

function AssetRow({ a }: { a: Asset }) {
  return (
    <li data-testid="provenance-asset">
      <div className="row row--between"><strong className="small">{a.kind.replace(/_/g, " ")}</strong><span className="small muted">{formatBytes(a.size)}</span></div>
      <div className="small">{a.engine}{a.model ? <span className="muted"> · {a.model}</span> : null}</div>
      <div className="muted small mono" style={{ overflowWrap: "anywhere" }}>{a.key}</div>
      {a.parameters && Object.keys(a.parameters).length > 0 && (
        <details><summary className="small">parameters</summary><pre className="small" style={{ whiteSpace: "pre-wrap" }}>{JSON.stringify(a.parameters, null, 1)}</pre></details>
      )}
    </li>
  );
}
