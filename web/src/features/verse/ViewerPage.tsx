import { useEffect, useRef, useState } from "react";
import { useParams } from "react-router";
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { verseApi, type SharedWorld } from "./api";
import { openWorldPip, worldPipMode, type WorldPip } from "./pip";
import { WorldView } from "./scene";
import { WalkControls } from "./walk";
import "./verse.css";

declare global {
  interface Window {
    __verseViewer?: { title: string; nodes: number; frames: number; readOnly: boolean; pip: string; mode: string; camera: number[]; ktx2Textures?: number };
  }
}

/** A shared world, read-only and without login: the link's token opens this world only. */
export default function ViewerPage() {
  const { token = "" } = useParams();
  const [world, setWorld] = useState<SharedWorld | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const pip = useRef<WorldPip | null>(null);
  const [pipState, setPipState] = useState<"off" | "document" | "video" | "unavailable" | "failed">("off");
  const [mode, setMode] = useState<"orbit" | "walk">("orbit");
  const live = useRef<{ view: WorldView; orbit: OrbitControls } | null>(null);
  useEffect(() => {
    if (window.__verseViewer) window.__verseViewer.pip = pipState;
  }, [pipState]);
  useEffect(() => () => pip.current?.close(), []);
  const togglePip = async () => {
    if (pip.current) {
      pip.current.close();
      return;
    }
    if (!stage.current || !canvas.current) return;
    try {
      const opened = await openWorldPip(stage.current, canvas.current, world?.title ?? "World", () => {
        pip.current = null;
        setPipState("off");
      });
      pip.current = opened;
      setPipState(opened ? opened.mode : "unavailable");
    } catch {
      setPipState("failed");
    }
  };
  useEffect(() => {
    verseApi.shared(token).then(setWorld).catch((e: Error) => setError(e.message));
  }, [token]);
  useEffect(() => {
    if (!world || !canvas.current) return;
    document.title = `${world.title} · Verse`;
    const view = new WorldView(canvas.current, world.document,
      (hash) => `/api/v1/shared/${encodeURIComponent(token)}/assets/${hash}`);
    const orbit = new OrbitControls(view.camera, canvas.current);
    orbit.target.fromArray(world.document.camera.target);
    orbit.update();
    orbit.addEventListener("change", () => view.invalidate());
    const state = { title: world.title, nodes: world.document.nodes.length, frames: 0, readOnly: true, pip: "off", mode: "orbit", camera: view.camera.position.toArray(), ktx2Textures: 0 };
    window.__verseViewer = state;
    view.onFrame = () => {
      state.frames++;
      state.camera = view.camera.position.toArray();
      state.ktx2Textures = view.ktx2Textures;
    };
    live.current = { view, orbit };
    return () => {
      live.current = null;
      orbit.dispose();
      view.dispose();
    };
  }, [world, token]);
  // Walk mode: first person at eye height (walk.ts); back to orbiting around a point ahead.
  useEffect(() => {
    const l = live.current;
    if (!l || mode !== "walk" || !canvas.current) return;
    l.orbit.enabled = false;
    const walk = new WalkControls(l.view.camera, canvas.current, () => l.view.invalidate());
    if (window.__verseViewer) window.__verseViewer.mode = "walk";
    return () => {
      walk.dispose();
      const ahead = new THREE.Vector3();
      l.view.camera.getWorldDirection(ahead);
      l.orbit.target.copy(l.view.camera.position).addScaledVector(ahead, 5);
      l.orbit.enabled = true;
      l.orbit.update();
      l.view.invalidate();
      if (window.__verseViewer) window.__verseViewer.mode = "orbit";
    };
  }, [mode, world]);
  if (error) return <main className="empty"><h1>World not available</h1><p>{error}</p></main>;
  return (
    <div className="verse-viewer">
      <header>
        <strong data-testid="verse-viewer-title">{world?.title ?? "Loading…"}</strong>
        <span className="badge">Read-only</span>
        <span className="muted" data-testid="verse-viewer-help">{mode === "walk" ? "W A S D or arrows to walk (Shift runs), drag to look." : "Drag to orbit, scroll to zoom."}</span>
        <button type="button" className="btn btn--ghost" data-testid="verse-walk" aria-pressed={mode === "walk"} disabled={!world} onClick={() => setMode(mode === "walk" ? "orbit" : "walk")}>
          {mode === "walk" ? "Orbit" : "Walk"}
        </button>
        {worldPipMode() !== "none" || pipState !== "off" ? (
          <button type="button" className="btn btn--ghost" data-testid="verse-pip" aria-pressed={pipState === "document" || pipState === "video"} onClick={togglePip}>
            {pipState === "document" || pipState === "video" ? "Back to the page" : "Picture-in-picture"}
          </button>
        ) : (
          <span className="muted" data-testid="verse-pip-none">Picture-in-picture is not available in this browser.</span>
        )}
        {pipState === "document" && <span className="muted" data-testid="verse-pip-status">The world is in the picture-in-picture window.</span>}
        {pipState === "video" && <span className="muted" data-testid="verse-pip-status">The world plays in picture-in-picture (orbit it here).</span>}
        {pipState === "unavailable" && <span className="muted" data-testid="verse-pip-status">Picture-in-picture is not available in this browser.</span>}
        {pipState === "failed" && <span className="muted" data-testid="verse-pip-status">The browser refused picture-in-picture.</span>}
      </header>
      <div className="verse-stage" ref={stage}><canvas ref={canvas} data-testid="verse-canvas" aria-label="Shared 3D world" /></div>
    </div>
  );
}
