import { useEffect, useRef, useState } from "react";
import { useParams } from "react-router";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { verseApi, type World } from "./api";
import { WorldView } from "./scene";
import "./verse.css";

declare global {
  interface Window {
    __verseViewer?: { title: string; nodes: number; frames: number; readOnly: boolean };
  }
}

/** A shared world, read-only and without login: the link's token opens this world only. */
export default function ViewerPage() {
  const { token = "" } = useParams();
  const [world, setWorld] = useState<World | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
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
    const state = { title: world.title, nodes: world.document.nodes.length, frames: 0, readOnly: true };
    window.__verseViewer = state;
    view.onFrame = () => { state.frames++; };
    return () => {
      orbit.dispose();
      view.dispose();
    };
  }, [world, token]);
  if (error) return <main className="empty"><h1>World not available</h1><p>{error}</p></main>;
  return (
    <div className="verse-viewer">
      <header>
        <strong data-testid="verse-viewer-title">{world?.title ?? "Loading…"}</strong>
        <span className="badge">Read-only</span>
        <span className="muted">Drag to orbit, scroll to zoom.</span>
      </header>
      <div className="verse-stage"><canvas ref={canvas} data-testid="verse-canvas" aria-label="Shared 3D world" /></div>
    </div>
  );
}
