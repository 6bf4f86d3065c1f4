import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import { formatDuration } from "../../components/format";
import { ErrorNote } from "../../components/ui";
import { captionTracks } from "./captions";
import { Player } from "./Player";

/** Watch: the full-width player for one library item. */
export default function WatchPage() {
  const id = Number(useParams().id);
  const item = useQuery({ queryKey: qk.contentItem(id), queryFn: () => api.contentItem(id), enabled: id > 0 });
  if (item.error) return <ErrorNote error={item.error} />;
  const c = item.data;
  if (!c) return <p className="muted">Loading…</p>;
  const src = c.hls_url || c.mp4_url || c.preview_url;
  return (
    <div className="stack">
      {src ? (
        <Player key={c.id} id={c.id} src={src} poster={c.poster || c.thumbnail} title={c.title}
          captions={captionTracks(c.vtt_url ?? "", c.languages)} chaptersUrl={c.chapters_url || undefined} />
      ) : (
        <p className="alert">This item has no playable media yet.</p>
      )}
      <div className="row row--between">
        <div>
          <h1 style={{ marginBottom: "var(--space-1)" }}>{c.title}</h1>
          <p className="muted small">{formatDuration(c.duration)} · {c.languages.join(", ")}</p>
        </div>
        <Link className="btn" to={`/library/${c.id}`}>Details</Link>
      </div>
      {c.description && <p>{c.description}</p>}
      <p className="small muted">Shortcuts: space play/pause · ←/→ seek 5 s · ↑/↓ volume · f fullscreen · c captions · m mute</p>
    </div>
  );
}
