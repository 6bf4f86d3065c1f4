import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ConfirmDialog } from "../../components/Dialog";
import { ErrorNote, isNotFound, NotFound } from "../../components/ui";
import { arcadeKeys, gamesApi } from "./api";
import { GameBridge } from "./bridge";
import { PlayBeside } from "./PlayBeside";
import { GAME_ALLOW, GAME_SANDBOX, gamePipSupported, openGamePip, type GamePip } from "./pip";

/**
 * Plays one game: the game's own origin in a sandboxed iframe (scripts and its own storage; no
 * top navigation, no popups, no forms), fullscreen, pause/resume and audio through the SDK, and
 * Picture-in-Picture (the game alone in a Document PiP window; the page's copy stops meanwhile).
 */
export function PlayPage() {
  const id = Number(useParams().id);
  const game = useQuery({ queryKey: arcadeKeys.game(id), queryFn: () => gamesApi.get(id) });
  const frame = useRef<HTMLIFrameElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const [sdk, setSdk] = useState(false);
  const [ready, setReady] = useState(false);
  const [paused, setPaused] = useState(false);
  const [muted, setMuted] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const pip = useRef<GamePip | null>(null);
  const [inPip, setInPip] = useState(false);
  const [pipNote, setPipNote] = useState<string | null>(null);
  const qc = useQueryClient();
  const navigate = useNavigate();

  const origin = game.data?.origin ?? "";
  const bridge = useMemo(
    () =>
      origin
        ? new GameBridge(() => (pip.current?.frame ?? frame.current)?.contentWindow ?? null, origin, {
            load: async () => (await gamesApi.load(id)).data,
            save: async (data) => void (await gamesApi.save(id, data)),
          }, { onConnected: () => setSdk(true), onReady: () => setReady(true) })
        : null,
    [origin, id],
  );
  useEffect(() => {
    if (!bridge) return;
    const onMessage = (e: MessageEvent) => void bridge.handle(e);
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [bridge]);
  // Leaving the tab pauses the game (and resumes it on return) when it speaks the SDK, unless
  // it plays in its Picture-in-Picture window.
  useEffect(() => {
    if (!bridge) return;
    const onVis = () => {
      // In Picture-in-Picture the game is meant to go on while the user is elsewhere.
      if (pip.current) return;
      if (document.hidden) bridge.pause();
      else if (!paused) bridge.resume();
    };
    document.addEventListener("visibilitychange", onVis);
    return () => document.removeEventListener("visibilitychange", onVis);
  }, [bridge, paused]);

  // The PiP window goes with the page.
  useEffect(() => () => pip.current?.close(), []);

  const del = useMutation({
    mutationFn: () => gamesApi.remove(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: arcadeKeys.all });
      navigate("/arcade");
    },
  });

  if (game.error && isNotFound(game.error)) return <NotFound what="game" back="/arcade" backLabel="Back to the Arcade" />;
  if (!game.data) return <><ErrorNote error={game.error} />{game.isPending && <p className="muted">Loading…</p>}</>;
  const g = game.data;
  const togglePause = () => {
    if (paused) bridge?.resume();
    else bridge?.pause();
    setPaused(!paused);
  };
  const togglePip = async () => {
    if (pip.current) {
      pip.current.close();
      return;
    }
    if (!gamePipSupported()) {
      setPipNote("This browser has no Document Picture-in-Picture (Chrome and Edge 116+ have it): play here, or fullscreen.");
      return;
    }
    setPipNote(null);
    try {
      pip.current = await openGamePip(g.play_url, g.title, (e) => void bridge?.handle(e), () => {
        pip.current = null;
        if (bridge) bridge.relay = null;
        bridge?.restart();
        setInPip(false);
        setSdk(false);
        setReady(false);
      });
      // One copy of the game runs: the page's iframe goes while the window holds it.
      if (bridge) bridge.relay = pip.current.post;
      bridge?.restart();
      setSdk(false);
      setReady(false);
      setInPip(true);
    } catch (e) {
      setPipNote(`Picture-in-Picture was refused: ${(e as Error).message}`);
    }
  };
  const toggleMute = () => {
    bridge?.setAudio(muted);
    setMuted(!muted);
  };
  return (
    <section className="stack" data-testid="arcade-play">
      <div className="page-head row row--between">
        <h1>{g.title}</h1>
        <Link to="/arcade" className="btn btn--ghost">All games</Link>
      </div>
      {g.description && <p className="muted">{g.description}</p>}
      <div className="row" role="toolbar" aria-label="Game controls">
        <button type="button" className="btn" onClick={() => void stage.current?.requestFullscreen?.()} disabled={g.threads}>Fullscreen</button>
        <button type="button" className="btn" onClick={togglePause} disabled={!sdk} data-testid="arcade-pause">{paused ? "Resume" : "Pause"}</button>
        <button type="button" className="btn" onClick={toggleMute} disabled={!sdk} data-testid="arcade-mute">{muted ? "Sound on" : "Sound off"}</button>
        {!g.threads && (
          <button type="button" className="btn" onClick={() => void togglePip()} data-testid="arcade-pip">
            {inPip ? "Back to the page" : "Play in Picture-in-Picture"}
          </button>
        )}
        <button type="button" className="btn btn--ghost" onClick={() => setConfirmDelete(true)}>Delete</button>
        <span className="muted small" data-testid="arcade-sdk-state">
          {sdk ? (ready ? "Game ready · saves are kept for you" : "Game connected") : "This game does not use the Beacon SDK: pause and sound controls are off (use the game's own)."}
        </span>
      </div>
      {g.threads ? (
        <p>
          This game uses threads, which need a page of its own.{" "}
          <a className="btn btn--cta" href={g.play_url} target="_blank" rel="noopener noreferrer">Play in a new tab</a>
        </p>
      ) : inPip ? (
        <p className="muted" data-testid="arcade-in-pip">The game is playing in its Picture-in-Picture window.</p>
      ) : (
        <div ref={stage} className="arcade-stage" data-testid="arcade-stage">
          <iframe
            ref={frame}
            key={g.play_url}
            title={g.title}
            src={g.play_url}
            data-testid="arcade-frame"
            sandbox={GAME_SANDBOX}
            allow={GAME_ALLOW}
            referrerPolicy="no-referrer"
            style={{ width: "100%", aspectRatio: "16 / 9", border: 0, background: "#000", display: "block" }}
          />
        </div>
      )}
      {pipNote && <p className="small alert" role="status" data-testid="arcade-pip-note">{pipNote}</p>}
      {!g.threads && <PlayBeside playUrl={g.play_url} />}
      <p className="muted small">Version {g.version} · served from <code>{g.origin}</code></p>
      <ErrorNote error={del.error} />
      <ConfirmDialog open={confirmDelete} title={`Delete “${g.title}”?`} confirmLabel="Delete game" danger
        onConfirm={() => del.mutate()} onCancel={() => setConfirmDelete(false)}>
        <p>Its files and everyone's saves go too.</p>
      </ConfirmDialog>
    </section>
  );
}
