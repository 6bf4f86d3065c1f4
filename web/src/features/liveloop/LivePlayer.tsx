import { useEffect, useRef, useState } from "react";
import { HlsVideo, type HlsVideoHandle } from "../../components/HlsVideo";
import { IconFullscreen, IconMute, IconPause, IconPlay, IconVolume } from "../../components/icons";

/**
 * The live channel's player: a LIVE indicator instead of a position ("0:47 / 0:56" means nothing
 * on a channel), a "Tap to unmute" prompt while autoplay keeps it muted, jump-to-live, and
 * fullscreen on the container so the controls stay reachable.
 */
export function LivePlayer({ src, title }: { src: string; title: string }) {
  const handle = useRef<HlsVideoHandle>(null);
  const box = useRef<HTMLDivElement>(null);
  const [muted, setMuted] = useState(true);
  const [playing, setPlaying] = useState(false);
  const [behind, setBehind] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const video = () => handle.current?.video ?? null;
  const unmute = () => {
    const v = video();
    if (!v) return;
    v.muted = false;
    if (v.volume === 0) v.volume = 1;
    void v.play().catch(() => undefined);
  };
  // How far behind the live edge the viewer is (paused or seeked back): "Go live" shows then.
  useEffect(() => {
    const t = setInterval(() => {
      const v = video();
      if (!v || v.seekable.length === 0) return;
      const edge = v.seekable.end(v.seekable.length - 1);
      setBehind(edge - v.currentTime > 20);
    }, 1000);
    return () => clearInterval(t);
  }, []);
  const goLive = () => {
    const v = video();
    if (!v || v.seekable.length === 0) return;
    v.currentTime = Math.max(0, v.seekable.end(v.seekable.length - 1) - 6);
    void v.play().catch(() => undefined);
  };
  return (
    <div className="player live-player" ref={box} data-testid="live-player">
      <HlsVideo ref={handle} src={src} live hlsSubtitles muted autoPlay data-testid="live-video" aria-label={`${title} live`}
        onPlay={() => setPlaying(true)} onPause={() => setPlaying(false)}
        onVolumeChange={() => setMuted(video()?.muted ?? true)} onPlaybackError={setError} />
      {muted && (
        <button type="button" className="btn btn--cta live-player__unmute" onClick={unmute} data-testid="unmute">
          <IconMute size={18} />Tap to unmute
        </button>
      )}
      <div className="player__controls">
        <button type="button" className="btn btn--sm btn--icon" aria-label={playing ? "Pause" : "Play"}
          onClick={() => { const v = video(); if (v) { if (v.paused) void v.play().catch(() => undefined); else v.pause(); } }}>
          {playing ? <IconPause size={18} /> : <IconPlay size={18} />}
        </button>
        <button type="button" className="btn btn--sm btn--icon" aria-label={muted ? "Unmute" : "Mute"} aria-pressed={muted}
          onClick={() => { const v = video(); if (!v) return; if (v.muted) unmute(); else v.muted = true; }}>
          {muted ? <IconMute size={18} /> : <IconVolume size={18} />}
        </button>
        {behind ? (
          <button type="button" className="btn btn--sm" onClick={goLive} data-testid="go-live">Go live</button>
        ) : (
          <span className="live-indicator" data-testid="live-indicator"><span className="live-indicator__dot" aria-hidden="true" />LIVE</span>
        )}
        <span style={{ flex: 1 }} />
        <button type="button" className="btn btn--sm btn--icon" aria-label="Fullscreen"
          onClick={() => { if (document.fullscreenElement) void document.exitFullscreen(); else void box.current?.requestFullscreen?.().catch(() => undefined); }}>
          <IconFullscreen size={18} />
        </button>
      </div>
      {error && <p className="alert" role="alert" style={{ margin: "var(--space-2)" }}>{error}</p>}
    </div>
  );
}
