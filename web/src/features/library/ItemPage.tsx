import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import { formatBytes, formatDuration } from "../../components/format";
import { IconDownload, IconPlay } from "../../components/icons";
import { ErrorNote } from "../../components/ui";

type SceneLike = { description?: string; lines?: string[]; duration?: number };

/** One library item: poster, metadata, script, transcript, provenance of every asset, downloads. */
export function ItemPage() {
  const id = Number(useParams().id);
  const item = useQuery({ queryKey: qk.contentItem(id), queryFn: () => api.contentItem(id), enabled: id > 0 });
  const assets = useQuery({ queryKey: qk.contentAssets(id), queryFn: () => api.contentAssets(id), enabled: id > 0 });
  if (item.error) return <ErrorNote error={item.error} />;
  const c = item.data;
  if (!c) return <p className="muted">Loading…</p>;
  const scenes = ((c.script as { scenes?: SceneLike[] })?.scenes ?? []) as SceneLike[];
  return (
    <div>
      <div className="page-head">
        <h1 data-testid="item-title">{c.title}</h1>
        <div className="row">
          <Link className="btn btn--cta" to={`/watch/${c.id}`}><IconPlay size={16} />Watch</Link>
          {c.mp4_url && <a className="btn" href={c.mp4_url} download><IconDownload size={16} />MP4</a>}
          {c.vtt_url && <a className="btn" href={c.vtt_url} download><IconDownload size={16} />Captions (VTT)</a>}
        </div>
      </div>
      <div className="item">
        <div className="stack">
          {c.poster || c.thumbnail ? <img className="poster" src={c.poster || c.thumbnail} alt={`Poster of ${c.title}`} /> : null}
          {c.description && <p>{c.description}</p>}
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
          <section className="card">
            <h2>Details</h2>
            <dl className="kv">
              <dt>Duration</dt><dd>{formatDuration(c.duration)}</dd>
              <dt>Languages</dt><dd>{c.languages.join(", ") || "–"}</dd>
              <dt>Visibility</dt><dd>{c.visibility}</dd>
              <dt>LiveLoop</dt><dd>{c.published ? "On air rotation" : "Not published"}</dd>
              <dt>Created</dt><dd><time dateTime={c.created_at}>{new Date(c.created_at).toLocaleString()}</time></dd>
              <dt>Prompt</dt><dd>{c.prompt}</dd>
              {c.job_id ? <><dt>Job</dt><dd><Link to={`/create?job=${c.job_id}`}>#{c.job_id}</Link></dd></> : null}
            </dl>
          </section>
          <section className="card">
            <h2>Provenance</h2>
            <ErrorNote error={assets.error} />
            <div className="table-wrap">
              <table className="table" data-testid="provenance">
                <thead><tr><th scope="col">Asset</th><th scope="col">Engine</th><th scope="col">Size</th></tr></thead>
                <tbody>
                  {(assets.data?.items ?? []).map((a) => (
                    <tr key={a.id}>
                      <td>{a.kind}<div className="muted small mono" style={{ overflowWrap: "anywhere" }}>{a.key}</div></td>
                      <td>{a.engine}{a.model ? <div className="muted small">{a.model}</div> : null}
                        {a.parameters && Object.keys(a.parameters).length > 0 && (
                          <details><summary className="small">parameters</summary><pre className="small" style={{ whiteSpace: "pre-wrap" }}>{JSON.stringify(a.parameters, null, 1)}</pre></details>
                        )}
                      </td>
                      <td className="small">{formatBytes(a.size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </aside>
      </div>
    </div>
  );
}
