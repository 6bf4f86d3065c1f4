import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { HlsVideo, type AudioTrackInfo, type HlsVideoHandle } from "../../components/HlsVideo";
import { formatDuration } from "../../components/format";
import { IconPause, IconPlay } from "../../components/icons";
import type { PartyClient } from "./client";
import { SyncEngine, type MediaEventName } from "./engine";
import type { PartyMedia } from "./protocol";

const EVENTS: MediaEventName[] = ["play", "pause", "seeking", "seeked", "waiting", "playing", "canplay"];
const RATES = [0.5, 0.75, 1, 1.25, 1.5, 2];

/**
 * The party's player: the media element is driven by the sync engine (never by its own
 * controls); the buttons send requests to the party, which answers everyone with a scheduled
 * state. Members who may not control see the controls disabled, with the reason.
 */
export function PartyPlayer({ client, media, live, duration, title, videoBox }: {
  client: PartyClient;
  media: PartyMedia;
  live: boolean;
  duration: number;
  title: string;
  /** The element holding the video: Document Picture-in-Picture moves it. */
  videoBox: React.RefObject<HTMLDivElement | null>;
}) {
  const snap = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const handle = useRef<HlsVideoHandle>(null);
  const engineRef = useRef<SyncEngine | null>(null);
  const [time, setTime] = useState(0);
  const [tracks, setTracks] = useState<AudioTrackInfo[]>([]);
  const [scrub, setScrub] = useState<number | null>(null);
  const canControl = client.canControl();
  const seekInput = useRef<HTMLInputElement>(null);
  // The native "change" fires once the user lets go (mouse, touch or keyboard): one seek request.
  useEffect(() => {
    const input = seekInput.current;
    if (!input) return;
    const commit = () => {
      client.send({ type: "request", action: "seek", position: Number(input.value) });
      setScrub(null);
    };
    input.addEventListener("change", commit);
    return () => input.removeEventListener("change", commit);
  }, [client]);

  useEffect(() => {
    const video = handle.current?.video;
    if (!video) return;
    const now = () => performance.timeOrigin + performance.now();
    const engine = new SyncEngine(video, now, client.clock, (m) => client.send(m), {}, () => client.canControl());
    if (live) engine.setLiveDate(() => handle.current?.playingDate() ?? null);
    engineRef.current = engine;
    const cur = client.getSnapshot().state;
    client.onState = (s) => {
      engine.apply(s);
      wake();
    };
    let wakeTimer: ReturnType<typeof setTimeout> | undefined;
    const wake = () => {
      clearTimeout(wakeTimer);
      const at = engine.nextWakeLocal();
      if (at !== null) wakeTimer = setTimeout(() => engine.tick(), Math.max(0, at - now()));
    };
    if (cur) client.onState(cur);
    const listeners = EVENTS.map((name) => {
      const fn = () => engine.onMediaEvent(name);
      video.addEventListener(name, fn);
      return () => video.removeEventListener(name, fn);
    });
    const tick = setInterval(() => {
      engine.tick();
      setTime(video.currentTime);
      // Live: the wall-clock time of the frame shown (read by the e2e journey and devtools).
      if (live) video.dataset.playingDate = String(handle.current?.playingDate() ?? "");
    }, 100);
    return () => {
      clearInterval(tick);
      clearTimeout(wakeTimer);
      listeners.forEach((off) => off());
      client.onState = () => undefined;
      engineRef.current = null;
    };
  }, [client, live]);

  // Party-wide captions and audio track.
  const captions = snap.state?.captions ?? "";
  useEffect(() => {
    const v = handle.current?.video;
    if (!v) return;
    for (let i = 0; i < v.textTracks.length; i++) {
      const t = v.textTracks[i];
      t.mode = captions && t.language === captions ? "showing" : "disabled";
    }
  }, [captions, media]);
  const audio = snap.state?.audio ?? "";
  useEffect(() => {
    if (!audio) return;
    const i = tracks.findIndex((t) => t.name === audio || t.lang === audio);
    if (i >= 0) handle.current?.setAudioTrack(i);
  }, [audio, tracks]);

  const state = snap.state;
  const playing = state?.playing ?? false;
  const request = (m: Parameters<PartyClient["send"]>[0]) => client.send(m);
  const names = new Map(snap.members.map((m) => [m.id, m.name]));
  const me = snap.members.find((m) => m.id === snap.me?.id);
  let status = "";
  if (state?.state === "waiting") {
    const who = state.waiting_for.map((id) => names.get(id) ?? `#${id}`).join(", ");
    const left = state.wait_deadline ? Math.max(0, Math.ceil((state.wait_deadline - client.clock.serverNow(performance.timeOrigin + performance.now())) / 1000)) : 0;
    status = who ? `Waiting for ${who} (at most ${left} s)` : "Getting everyone ready…";
  } else if (me?.catching_up) {
    status = "Catching up with the party…";
  } else if (me?.buffering) {
    status = "Buffering…";
  }
  const disabledWhy = live ? "A channel party follows the channel: nobody controls it" : canControl ? undefined : "The host controls playback";
  const shown = scrub ?? time;

  return (
    <div className="player party-player" data-testid="party-player">
      <div ref={videoBox} className="party-player__video">
        <HlsVideo ref={handle} src={media.hls} live={live} hlsSubtitles={live} poster={media.poster || undefined}
          data-testid="party-video" aria-label={title}
          onAudioTracks={(t) => setTracks(t)}>
          {!live && media.captions.map((c) => <track key={c.lang} kind="captions" srcLang={c.lang} label={c.lang} src={c.url} />)}
        </HlsVideo>
      </div>
      <div className="player__controls">
        {!live && (
          <button type="button" className="btn btn--sm btn--icon" data-testid="party-toggle"
            aria-label={playing ? "Pause for everyone" : "Play for everyone"} disabled={!canControl} title={disabledWhy}
            onClick={() => request({ type: "request", action: playing ? "pause" : "play" })}>
            {playing ? <IconPause size={18} /> : <IconPlay size={18} />}
          </button>
        )}
        {!live && (
          <input type="range" min={0} max={Math.max(duration, 1)} step={0.1} value={Math.min(shown, Math.max(duration, 1))}
            aria-label="Seek for everyone" disabled={!canControl} title={disabledWhy} data-testid="party-seek" style={{ flex: 1 }}
            ref={seekInput} onChange={(e) => setScrub(Number(e.target.value))} />
        )}
        {live ? <span className="live-indicator"><span className="live-indicator__dot" aria-hidden="true" />LIVE together</span>
          : <span className="small" data-testid="party-time">{formatDuration(shown)} / {formatDuration(duration)}</span>}
        {!live && canControl && (
          <select aria-label="Speed for everyone" value={state?.rate ?? 1} data-testid="party-rate"
            onChange={(e) => request({ type: "request", action: "rate", rate: Number(e.target.value) })}>
            {RATES.map((r) => <option key={r} value={r}>{r}×</option>)}
          </select>
        )}
        {!live && canControl && media.captions.length > 0 && (
          <select aria-label="Captions for everyone" value={captions} data-testid="party-captions"
            onChange={(e) => request({ type: "request", action: "captions", track: e.target.value })}>
            <option value="">Captions off</option>
            {media.captions.map((c) => <option key={c.lang} value={c.lang}>{c.lang}</option>)}
          </select>
        )}
        {!live && canControl && tracks.length > 1 && (
          <select aria-label="Audio for everyone" value={audio} data-testid="party-audio"
            onChange={(e) => request({ type: "request", action: "audio", track: e.target.value })}>
            <option value="">Default audio</option>
            {tracks.map((t) => <option key={t.id} value={t.name}>{t.name}</option>)}
          </select>
        )}
      </div>
      <p className="small muted" role="status" data-testid="party-status" style={{ minHeight: "1.5em", margin: "var(--space-1) var(--space-2)" }}>
        {status}
      </p>
    </div>
  );
}
