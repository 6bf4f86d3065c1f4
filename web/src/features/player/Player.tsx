import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { HlsVideo, isHlsUrl, type AudioTrackInfo, type HlsVideoHandle } from "../../components/HlsVideo";
import { formatDuration } from "../../components/format";
import {
  IconAudio, IconCaptions, IconChapters, IconFullscreen, IconMute, IconPause, IconPip, IconPlay, IconSpeed, IconVolume,
} from "../../components/icons";
import { CAPTION_SIZES, CAPTION_STYLES, loadCaptionSettings, saveCaptionSettings, type CaptionSettings } from "./captions";
import { chapterAt, parseChapters, type Chapter } from "./chapters";
import { parseMasterAudio } from "./hlsMaster";
import { AutoTranslate } from "./AutoTranslate";
import { heldTime, sourceTime, type HeldCut } from "./heldCut";
import { Menu, RadioItem } from "./Menu";
import { loadPosition, savePosition } from "./position";
import { errorClass, useQoe } from "./qoe";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

export interface PlayerProps {
  id: number;
  src: string;
  poster?: string;
  captions: { lang: string; url: string }[];
  chaptersUrl?: string;
  title: string;
  /** Dubs with their own timeline, the picture held for long lines (played from their own master). */
  heldCuts?: HeldCut[];
}

/**
 * The Beacon player: HLS with audio-track (dub) menu, WebVTT captions whose size and
 * contrast persist, chapters menu and timeline marks, speed, PiP, fullscreen, keyboard
 * shortcuts (space, ←/→, ↑/↓, f, c, m) and continue-watching.
 */
export function Player({ id, src, poster, captions: itemCaptions, chaptersUrl, title, heldCuts = [] }: PlayerProps) {
  const handle = useRef<HlsVideoHandle>(null);
  const box = useRef<HTMLDivElement>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [muted, setMuted] = useState(false);
  const [rate, setRate] = useState(1);
  const [cap, setCap] = useState<CaptionSettings>(() => loadCaptionSettings());
  const [audio, setAudio] = useState<{ tracks: AudioTrackInfo[]; current: number }>({ tracks: [], current: -1 });
  const [masterAudio, setMasterAudio] = useState<AudioTrackInfo[]>([]);
  const [chapters, setChapters] = useState<Chapter[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [resumedAt, setResumedAt] = useState(0);
  const [fullscreen, setFullscreen] = useState(false);
  const [idle, setIdle] = useState(false);
  const [menuOpen, setMenuOpen] = useState(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const video = () => handle.current?.video ?? null;
  // A held cut being played instead of the item's own master; where to go once it (or the
  // master, coming back) has loaded: the same moment of the story, and the audio track picked.
  const [cut, setCut] = useState<HeldCut | null>(null);
  const pending = useRef<{ time: number; track: number; play: boolean } | null>(null);
  const playSrc = cut ? cut.url : src;
  const qoe = useQoe(video, playSrc);
  // On a held cut only its own captions match the picture (the item's are on the other timeline).
  const captions = useMemo(
    () => (cut ? (cut.captions ? [{ lang: cut.lang, url: cut.captions }] : []) : itemCaptions),
    [cut, itemCaptions],
  );
  const switchTo = (next: HeldCut | null, track = -1) => {
    const v = video();
    const now = v?.currentTime ?? 0;
    const itemTime = cut ? sourceTime(cut.holds, now) : now;
    pending.current = { time: next ? heldTime(next.holds, itemTime) : itemTime, track, play: !!v && !v.paused };
    setCut(next);
  };

  // Fullscreen puts the whole player (video and controls) on screen; the controls overlay the
  // picture and hide after a few quiet seconds of playback, back on pointer move, tap or key.
  useEffect(() => {
    const on = () => setFullscreen(!!box.current && document.fullscreenElement === box.current);
    document.addEventListener("fullscreenchange", on);
    return () => document.removeEventListener("fullscreenchange", on);
  }, []);
  const wake = useCallback(() => {
    setIdle(false);
    clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(() => setIdle(true), 3000);
  }, []);
  useEffect(() => () => clearTimeout(idleTimer.current), []);
  const hideControls = fullscreen && idle && playing && menuOpen === 0;
  const onMenu = useCallback((open: boolean) => setMenuOpen((n) => Math.max(0, n + (open ? 1 : -1))), []);

  // An open menu sits over the bottom of the picture: captions move to the top meanwhile.
  useEffect(() => {
    const v = video();
    if (!v) return;
    for (let i = 0; i < v.textTracks.length; i++) {
      const cues = v.textTracks[i].cues;
      if (!cues) continue;
      for (let j = 0; j < cues.length; j++) {
        const c = cues[j] as VTTCue;
        if ("line" in c) c.line = menuOpen > 0 ? 0 : "auto";
      }
    }
  }, [menuOpen]);

  const updateCap = (p: Partial<CaptionSettings>) =>
    setCap((c) => {
      const n = { ...c, ...p };
      saveCaptionSettings(n);
      return n;
    });
  const capLang = captions.some((c) => c.lang === cap.language) ? cap.language : captions[0]?.lang ?? "";

  // Show the chosen caption track; hide the rest.
  useEffect(() => {
    const v = video();
    if (!v) return;
    const apply = () => {
      for (let i = 0; i < v.textTracks.length; i++) {
        const t = v.textTracks[i];
        if (t.kind !== "subtitles" && t.kind !== "captions") continue;
        t.mode = cap.enabled && t.language === capLang ? "showing" : "hidden";
      }
    };
    apply();
    v.textTracks.addEventListener?.("addtrack", apply);
    return () => v.textTracks.removeEventListener?.("addtrack", apply);
  }, [cap.enabled, capLang, captions]);

  // The audio renditions the master declares (shown even before hls.js reports them).
  useEffect(() => {
    if (!isHlsUrl(src)) return;
    let stop = false;
    fetch(src, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : ""))
      .then((t) => !stop && setMasterAudio(parseMasterAudio(t).map((a, i) => ({ id: i, name: a.name, lang: a.language }))))
      .catch(() => undefined);
    return () => {
      stop = true;
    };
  }, [src]);

  useEffect(() => {
    if (!chaptersUrl) return;
    let stop = false;
    fetch(chaptersUrl, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : ""))
      .then((t) => !stop && setChapters(parseChapters(t)))
      .catch(() => undefined);
    return () => {
      stop = true;
    };
  }, [chaptersUrl]);

  const togglePlay = useCallback(() => {
    const v = video();
    if (!v) return;
    if (v.paused) void v.play().catch(() => undefined);
    else v.pause();
  }, []);
  const seekTo = useCallback((t: number) => {
    const v = video();
    if (!v) return;
    const d = Number.isFinite(v.duration) ? v.duration : t;
    v.currentTime = Math.max(0, Math.min(d, t));
  }, []);
  const toggleFullscreen = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void box.current?.requestFullscreen?.().catch(() => undefined);
  }, []);
  const togglePip = useCallback(async () => {
    const v = video();
    if (!v) return;
    try {
      if (document.pictureInPictureElement) await document.exitPictureInPicture();
      else await v.requestPictureInPicture();
    } catch (e) {
      setError(`Picture-in-Picture is not available: ${(e as Error).message}`);
    }
  }, []);

  // Keyboard shortcuts, page-wide while no text field has focus.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      // Esc always leaves fullscreen (where the browser does not already).
      if (e.key === "Escape" && document.fullscreenElement && document.fullscreenElement === box.current) {
        void document.exitFullscreen().catch(() => undefined);
        return;
      }
      const t = e.target as HTMLElement;
      const tag = t?.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || t?.isContentEditable) return;
      const v = video();
      if (!v) return;
      wake();
      switch (e.key) {
        case " ":
        case "k":
          if (tag === "BUTTON" || tag === "A") return;
          e.preventDefault();
          togglePlay();
          break;
        case "ArrowLeft":
          e.preventDefault();
          seekTo(v.currentTime - 5);
          break;
        case "ArrowRight":
          e.preventDefault();
          seekTo(v.currentTime + 5);
          break;
        case "ArrowUp":
          e.preventDefault();
          v.volume = Math.min(1, v.volume + 0.1);
          break;
        case "ArrowDown":
          e.preventDefault();
          v.volume = Math.max(0, v.volume - 0.1);
          break;
        case "f":
          toggleFullscreen();
          break;
        case "c":
          setCap((c) => {
            const n = { ...c, enabled: !c.enabled };
            saveCaptionSettings(n);
            return n;
          });
          break;
        case "m":
          v.muted = !v.muted;
          break;
        default:
          return;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [togglePlay, seekTo, toggleFullscreen, wake]);

  // Continue watching: restore once metadata is known; save as playback moves.
  const lastSave = useRef(0);
  const onLoadedMetadata = () => {
    const v = video();
    if (!v) return;
    setDuration(v.duration);
    const go = pending.current;
    if (go) {
      pending.current = null;
      v.currentTime = Math.max(0, Math.min(go.time, v.duration || go.time));
      if (go.track >= 0) handle.current?.setAudioTrack(go.track);
      if (go.play) void v.play().catch(() => undefined);
      return;
    }
    const pos = loadPosition(id);
    if (pos > 0 && Number.isFinite(v.duration) && pos < v.duration - 3) {
      v.currentTime = pos;
      setResumedAt(pos);
    }
  };
  const onTimeUpdate = () => {
    const v = video();
    if (!v) return;
    setTime(v.currentTime);
    if (Math.abs(v.currentTime - lastSave.current) >= 2 && !cut) {
      lastSave.current = v.currentTime;
      savePosition(id, v.currentTime, v.duration);
    }
  };
  useEffect(() => () => {
    const v = video();
    if (v) savePosition(id, v.currentTime, v.duration);
  }, [id]);

  const tracks = cut ? masterAudio : audio.tracks.length > 0 ? audio.tracks : masterAudio;
  const currentChapter = chapterAt(chapters, time);
  const marks = useMemo(
    () => (duration > 0 ? chapters.filter((c) => c.start > 0).map((c) => ({ ...c, left: (c.start / duration) * 100 })) : []),
    [chapters, duration],
  );

  return (
    <div ref={box} className="player" data-cap-size={cap.size} data-cap-style={cap.style} data-testid="player"
      data-fullscreen={fullscreen} data-idle={hideControls} onPointerMove={wake} onPointerDown={wake} onFocus={wake}>
      <HlsVideo
        ref={handle}
        src={playSrc}
        poster={poster}
        preload="metadata"
        aria-label={title}
        data-testid="watch-video"
        onClick={() => {
          // A tap on hidden controls only brings them back.
          if (hideControls) return wake();
          togglePlay();
        }}
        onPlay={() => { setPlaying(true); wake(); }}
        onPause={() => {
          setPlaying(false);
          const v = video();
          if (v) savePosition(id, v.currentTime, v.duration);
        }}
        onLoadedMetadata={onLoadedMetadata}
        onDurationChange={() => setDuration(video()?.duration ?? 0)}
        onTimeUpdate={onTimeUpdate}
        onVolumeChange={() => setMuted(video()?.muted ?? false)}
        onRateChange={() => setRate(video()?.playbackRate ?? 1)}
        onAudioTracks={(t, current) => setAudio({ tracks: t, current })}
        onPlaybackError={(m) => { qoe.error(errorClass(undefined, m)); setError(m); }}
      >
        {captions.map((c) => (
          <track key={c.lang} kind="subtitles" src={c.url} srcLang={c.lang} label={languageName(c.lang)} />
        ))}
      </HlsVideo>
      <div className="player__controls" data-testid="player-controls">
        <div className="timeline">
          <input type="range" min={0} max={duration || 0} step={0.1} value={Math.min(time, duration || 0)} aria-label="Seek"
            aria-valuetext={`${formatDuration(time)} of ${formatDuration(duration)}`} data-testid="seek"
            onChange={(e) => seekTo(Number(e.target.value))}
            onKeyDown={(e) => {
              const v = video();
              const step = seekStep(e.key, v?.currentTime ?? time, duration);
              if (step === null) return;
              e.preventDefault();
              e.stopPropagation();
              seekTo(step);
            }} />
          {marks.map((m) => (
            <span key={m.start} className="timeline__mark" style={{ left: `${m.left}%` }} title={m.title} data-testid="chapter-mark" />
          ))}
        </div>
        <span className="player__break" aria-hidden="true" />
        <button type="button" className="btn btn--sm btn--icon" onClick={togglePlay} aria-label={playing ? "Pause" : "Play"} data-testid="play">
          {playing ? <IconPause size={18} /> : <IconPlay size={18} />}
        </button>
        <button type="button" className="btn btn--sm btn--icon" onClick={() => { const v = video(); if (v) v.muted = !v.muted; }}
          aria-label={muted ? "Unmute" : "Mute"} aria-pressed={muted}>
          {muted ? <IconMute size={18} /> : <IconVolume size={18} />}
        </button>
        <span className="player__time" data-testid="time">{formatDuration(time)} / {formatDuration(duration)}</span>
        {currentChapter >= 0 && <span className="small player__chapter" title={chapters[currentChapter].title} data-testid="current-chapter">· {shortChapterTitle(chapters[currentChapter].title)}</span>}
        <span style={{ flex: 1 }} />
        {chapters.length > 0 && (
          <Menu label="Chapters" icon={<IconChapters size={18} />} testId="chapters-menu" onOpenChange={onMenu}>
            {(close) => (
              <div role="menu">
                {chapters.map((c, i) => (
                  <button key={i} type="button" role="menuitem" data-testid="chapter-item" aria-current={i === currentChapter ? "true" : undefined} onClick={() => { seekTo(c.start); close(); }}>
                    <span>{c.title}</span><span className="muted">{formatDuration(c.start)}</span>
                  </button>
                ))}
              </div>
            )}
          </Menu>
        )}
        <Menu label="Audio track" icon={<IconAudio size={18} />} testId="audio-menu" onOpenChange={onMenu}>
          {(close) => (
            <div role="menu">
              <div className="menu__label">Audio</div>
              {tracks.length === 0 && <p className="small muted" style={{ padding: "var(--space-2)" }}>One audio track</p>}
              {tracks.map((t) => (
                <RadioItem key={t.id} checked={!cut && (audio.tracks.length > 0 ? audio.current === t.id : t.id === 0)} testId="audio-track"
                  onSelect={() => { if (cut) switchTo(null, t.id); else handle.current?.setAudioTrack(t.id); close(); }}>
                  {t.name}{t.lang ? ` (${t.lang})` : ""}
                </RadioItem>
              ))}
              {heldCuts.length > 0 && <div className="menu__label" title="The picture waits for long lines instead of speeding the voice up">Dubs at natural speed</div>}
              {heldCuts.map((h) => (
                <RadioItem key={`held-${h.lang}`} checked={cut?.lang === h.lang} testId="audio-held"
                  onSelect={() => { if (cut?.lang !== h.lang) switchTo(h); close(); }}>
                  {h.name} ({h.lang}) · picture held
                </RadioItem>
              ))}
            </div>
          )}
        </Menu>
        <Menu label="Captions" icon={<IconCaptions size={18} />} testId="captions-menu" onOpenChange={onMenu}>
          {() => (
            <div className="stack" style={{ gap: "var(--space-2)" }}>
              <label className="check"><input type="checkbox" checked={cap.enabled} data-testid="captions-enabled"
                onChange={(e) => updateCap({ enabled: e.target.checked })} />Show captions</label>
              {captions.length > 1 && (
                <label className="field"><span>Language</span>
                  <select className="input" value={capLang} data-testid="captions-language" onChange={(e) => updateCap({ language: e.target.value })}>
                    {captions.map((c) => <option key={c.lang} value={c.lang}>{languageName(c.lang)}</option>)}
                  </select></label>
              )}
              {id > 0 && <AutoTranslate contentId={id} onReady={(lang) => updateCap({ enabled: true, language: lang })} />}
              <label className="field"><span>Size</span>
                <select className="input" value={cap.size} data-testid="captions-size" onChange={(e) => updateCap({ size: e.target.value as CaptionSettings["size"] })}>
                  {CAPTION_SIZES.map((s) => <option key={s} value={s}>{s === "xlarge" ? "extra large" : s}</option>)}
                </select></label>
              <label className="field"><span>Contrast</span>
                <select className="input" value={cap.style} data-testid="captions-style" onChange={(e) => updateCap({ style: e.target.value as CaptionSettings["style"] })}>
                  {CAPTION_STYLES.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
                </select></label>
            </div>
          )}
        </Menu>
        <Menu label={`Playback speed ${rate}×`} icon={<IconSpeed size={18} />} text={`${rate}×`} testId="speed-menu" onOpenChange={onMenu}>
          {(close) => (
            <div role="menu">
              {SPEEDS.map((s) => (
                <RadioItem key={s} checked={rate === s} onSelect={() => { const v = video(); if (v) v.playbackRate = s; close(); }}>{s}×</RadioItem>
              ))}
            </div>
          )}
        </Menu>
        {typeof document !== "undefined" && document.pictureInPictureEnabled && (
          <button type="button" className="btn btn--sm btn--icon player__pip" onClick={togglePip} aria-label="Picture-in-Picture"><IconPip size={18} /></button>
        )}
        <button type="button" className="btn btn--sm btn--icon" onClick={toggleFullscreen} aria-label={fullscreen ? "Exit fullscreen" : "Fullscreen"}
          aria-pressed={fullscreen} data-testid="fullscreen"><IconFullscreen size={18} /></button>
      </div>
      {resumedAt > 0 && (
        <p className="small" style={{ color: "#fff", padding: "0 var(--space-3) var(--space-2)", margin: 0 }} data-testid="resumed">
          Resumed at {formatDuration(resumedAt)} ·{" "}
          <button type="button" className="btn btn--ghost btn--sm" style={{ color: "#fff" }} onClick={() => { seekTo(0); setResumedAt(0); }}>Start over</button>
        </p>
      )}
      {error && <p className="alert" role="alert" style={{ margin: "var(--space-2)" }}>{error}</p>}
    </div>
  );
}

/**
 * The next position for a key on the seek slider: ←/→ (and ↓/↑) 5 s like the page shortcut,
 * Page Up/Down 10 % of the length, Home/End the ends; null for other keys.
 */
export function seekStep(key: string, t: number, duration: number): number | null {
  const d = Number.isFinite(duration) && duration > 0 ? duration : 0;
  const clamp = (x: number) => Math.max(0, d ? Math.min(d, x) : x);
  switch (key) {
    case "ArrowLeft": case "ArrowDown": return clamp(t - 5);
    case "ArrowRight": case "ArrowUp": return clamp(t + 5);
    case "PageDown": return clamp(t - d * 0.1);
    case "PageUp": return clamp(t + d * 0.1);
    case "Home": return 0;
    case "End": return d;
    default: return null;
  }
}

/** A chapter title short enough for the control bar ("Scene 2: The storm…" → "Scene 2"). */
export function shortChapterTitle(title: string, max = 28): string {
  const t = title.trim();
  const head = /^([^:–—]{1,40})[:–—]\s/.exec(t)?.[1]?.trim();
  if (head && head.length <= max) return head;
  if (t.length <= max) return t;
  const cut = t.slice(0, max + 1);
  const sp = cut.lastIndexOf(" ");
  return `${(sp > max / 2 ? cut.slice(0, sp) : t.slice(0, max)).replace(/[\s,;.]+$/, "")}…`;
}

export function languageName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}
