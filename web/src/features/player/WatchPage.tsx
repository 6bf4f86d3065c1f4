import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import { useTitle } from "../../app/title";
import { formatDuration } from "../../components/format";
import { ErrorNote, isNotFound, NotFound } from "../../components/ui";
import { captionTracks } from "./captions";
import { heldCutsOf } from "./heldCut";
import { isHlsUrl } from "../../components/HlsVideo";
import { Player } from "./Player";
import { WatchTogetherButton } from "../party";
import { FactChips, playerVideo } from "../wiki";

const THEATRE_KEY = "beacon.theatre";

/** Watch: the full-width player for one library item (theatre mode on very wide screens). */
export default function WatchPage() {
  const id = Number(useParams().id);
  const item = useQuery({ queryKey: qk.contentItem(id), queryFn: () => api.contentItem(id), enabled: id > 0 });
  const [theatre, setTheatre] = useState(() => {
    try {
      return localStorage.getItem(THEATRE_KEY) === "1";
    } catch {
      return false;
    }
  });
  useTitle(item.data?.title || (item.error ? "Video not found" : undefined));
  if (!(id > 0) || isNotFound(item.error)) return <NotFound what="Video" back="/library" backLabel="Back to the library" />;
  if (item.error) return <ErrorNote error={item.error} />;
  const c = item.data;
  if (!c) return <p className="muted">Loading…</p>;
  const src = c.hls_url || c.mp4_url || c.preview_url;
  const toggleTheatre = () => {
    setTheatre((t) => {
      try {
        localStorage.setItem(THEATRE_KEY, t ? "0" : "1");
      } catch {
        /* this page only */
      }
      return !t;
    });
  };
  return (
    <div className={`stack${theatre ? " watch--theatre" : ""}`}>
      {src ? (
        <Player key={c.id} id={c.id} src={src} poster={c.poster || c.thumbnail} title={c.title}
          captions={captionTracks(c.vtt_url ?? "", c.languages)} chaptersUrl={c.chapters_url || undefined}
          heldCuts={isHlsUrl(src) ? heldCutsOf(c.language_tracks) : []} />
      ) : (
        <p className="alert">This item has no playable media yet.</p>
      )}
      {src && <FactChips contentId={c.id} video={playerVideo} />}
      <div className="row row--between">
        <div>
          <h1 style={{ marginBottom: "var(--space-1)" }}>{c.title}</h1>
          <p className="muted small">{formatDuration(c.duration)} · {c.languages.join(", ")}</p>
        </div>
        <div className="row">
          <button type="button" className="btn theatre-toggle" aria-pressed={theatre} onClick={toggleTheatre} data-testid="theatre">Theatre mode</button>
          {src && <WatchTogetherButton contentId={c.id} />}
          <Link className="btn" to={`/library/${c.id}`}>Details</Link>
        </div>
      </div>
      {c.description && <p>{c.description}</p>}
      <p className="small muted">Shortcuts: space play/pause · ←/→ seek 5 s · ↑/↓ volume · f fullscreen · c captions · m mute</p>
    </div>
  );
}
