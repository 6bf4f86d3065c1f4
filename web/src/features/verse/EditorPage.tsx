import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { TransformControls } from "three/examples/jsm/controls/TransformControls.js";
import { ApiError } from "../../api/client";
import { ErrorNote } from "../../components/ui";
import { ensureCsrf, verseApi, type AssetInfo, type Revision, type Share, type World } from "./api";
import { addPrimitiveOps, freshId, History, measure, PRIMITIVES, type AssetCost, type Budget, type Op, type Vec3, type WorldDoc, type WorldNode } from "./doc";
import { WorldView } from "./scene";
import { loadEditorState, saveEditorState } from "./persist";
import { IncrementalSerializer } from "./serialize";
import "./verse.css";

type SaveState = "saved" | "pending" | "saving" | "conflict" | "error";

declare global {
  interface Window {
    __verse?: {
      doc: () => WorldDoc;
      revision: () => number;
      saveState: () => SaveState;
      selected: () => string | null;
      panel: () => string;
      camera: () => { position: Vec3; target: Vec3 };
      saves: number[];
      frames: number;
      /** performance.now() at the first drawn frame (ms since the page's navigation). */
      firstFrameMs: number | null;
      /** KTX2 textures decoded so far, and the Basis transcoder loaded on demand. */
      ktx2Textures: () => number;
      loadTranscoder: () => Promise<void>;
    };
  }
}

const AUTOSAVE_DELAY_MS = 800;
const round = (v: number) => Math.round(v * 1000) / 1000;
const vec = (v: THREE.Vector3 | THREE.Euler): Vec3 => [round(v.x), round(v.y), round(v.z)];

export default function EditorPage() {
  const { id } = useParams();
  const worldId = Number(id);
  const [world, setWorld] = useState<World | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    ensureCsrf().then(() => verseApi.get(worldId)).then(setWorld).catch(setError);
  }, [worldId]);
  if (error) return <div className="stack"><h1>World</h1><ErrorNote error={error} /><Link to="/verse">All worlds</Link></div>;
  if (!world) return <p className="muted">Loading world…</p>;
  return <Editor key={world.id} initial={world} />;
}

const loadPersisted = loadEditorState;
const savePersisted = saveEditorState;

function Editor({ initial }: { initial: World }) {
  const worldId = initial.id;
  const persisted = useMemo(() => loadPersisted(worldId), [worldId]);
  const docRef = useRef<WorldDoc>(initial.document);
  const revisionRef = useRef(initial.revision);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [selected, setSelectedState] = useState<string | null>(
    persisted.selected && initial.document.nodes.some((n) => n.id === persisted.selected) ? persisted.selected : null);
  const selectedRef = useRef(selected);
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const saveStateRef = useRef<SaveState>("saved");
  const [saveError, setSaveError] = useState<string | null>(null);
  const [serverBudget, setServerBudget] = useState<Budget>(initial.budget);
  const [assets, setAssets] = useState<AssetInfo[]>([]);
  const [panel, setPanel] = useState(persisted.panel ?? "properties");
  const panelRef = useRef(panel);
  panelRef.current = panel;
  const [mode, setMode] = useState<"translate" | "rotate" | "scale">("translate");
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<WorldView | null>(null);
  const gizmoRef = useRef<TransformControls | null>(null);
  const serializer = useRef(new IncrementalSerializer());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const saving = useRef(false);
  const changedSinceSave = useRef(false);
  const debug = useRef({ saves: [] as number[], frames: 0, firstFrameMs: null as number | null });

  const setSave = (s: SaveState) => {
    saveStateRef.current = s;
    setSaveState(s);
  };
  const select = useCallback((nodeId: string | null) => {
    selectedRef.current = nodeId;
    setSelectedState(nodeId);
    savePersisted(worldId, { selected: nodeId });
    const gizmo = gizmoRef.current;
    const obj = nodeId ? viewRef.current?.objectOf(nodeId) : undefined;
    if (gizmo) {
      if (obj) gizmo.attach(obj);
      else gizmo.detach();
    }
    viewRef.current?.invalidate();
  }, [worldId]);

  const saveNow = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (saving.current || saveStateRef.current === "conflict") return;
    saving.current = true;
    changedSinceSave.current = false;
    setSave("saving");
    // The only main-thread work of a save: cached per-node JSON, re-written for touched nodes.
    const t0 = performance.now();
    const body = serializer.current.serialize(docRef.current);
    debug.current.saves.push(performance.now() - t0);
    try {
      const r = await verseApi.save(worldId, revisionRef.current, body);
      revisionRef.current = r.revision;
      setServerBudget(r.budget);
      setSaveError(null);
      setSave(changedSinceSave.current ? "pending" : "saved");
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setSave("conflict");
        setSaveError("This world was saved elsewhere (another tab?). Reload to get the newest revision; your last changes here are not saved.");
      } else {
        setSave("error");
        setSaveError(e instanceof Error ? e.message : String(e));
        changedSinceSave.current = true;
      }
    } finally {
      saving.current = false;
      if (changedSinceSave.current && (saveStateRef.current as SaveState) !== "conflict") {
        timer.current = setTimeout(() => void saveNow(), AUTOSAVE_DELAY_MS);
      }
      rerender();
    }
  }, [worldId]);

  const onApply = useCallback((op: Op) => {
    viewRef.current?.apply(op);
    serializer.current.touched(op);
    changedSinceSave.current = true;
    if (saveStateRef.current !== "conflict") {
      setSave(saving.current ? "saving" : "pending");
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void saveNow(), AUTOSAVE_DELAY_MS);
    }
    // Keep the gizmo on the selected object (it may have been rebuilt).
    const sel = selectedRef.current;
    if (sel && !docRef.current.nodes.some((n) => n.id === sel)) select(null);
    else if (sel && gizmoRef.current) {
      const obj = viewRef.current?.objectOf(sel);
      if (obj && gizmoRef.current.object !== obj) gizmoRef.current.attach(obj);
    }
    rerender();
  }, [saveNow, select]);

  const history = useMemo(() => new History(docRef.current, onApply), [onApply]);
  const run = useCallback((op: Op) => history.run(op), [history]);

  // The three.js view, orbit camera and transform gizmo.
  useEffect(() => {
    const canvas = canvasRef.current!;
    const view = new WorldView(canvas, docRef.current, (hash) => `/api/v1/worlds/${worldId}/assets/${hash}`);
    viewRef.current = view;
    view.onFrame = () => {
      if (debug.current.frames++ === 0) debug.current.firstFrameMs = performance.now();
    };
    if (persisted.camera) {
      view.camera.position.fromArray(persisted.camera.position);
    }
    const orbit = new OrbitControls(view.camera, canvas);
    orbit.target.fromArray(persisted.camera?.target ?? docRef.current.camera.target);
    orbit.update();
    orbit.addEventListener("change", () => view.invalidate());
    orbit.addEventListener("end", () => savePersisted(worldId, { camera: { position: vec(view.camera.position), target: vec(orbit.target) } }));
    const gizmo = new TransformControls(view.camera, canvas);
    gizmoRef.current = gizmo;
    view.scene.add(gizmo.getHelper());
    let before: Pick<WorldNode, "position" | "rotation" | "scale"> | null = null;
    gizmo.addEventListener("change", () => view.invalidate());
    gizmo.addEventListener("dragging-changed", (e) => {
      orbit.enabled = !e.value;
      const sel = selectedRef.current;
      const node = sel ? docRef.current.nodes.find((n) => n.id === sel) : undefined;
      const obj = sel ? view.objectOf(sel) : undefined;
      if (!node || !obj) return;
      if (e.value) {
        before = { position: [...node.position], rotation: [...node.rotation], scale: [...node.scale] };
        return;
      }
      // One drag = one operation (undoable as a whole).
      const after = { position: vec(obj.position), rotation: vec(obj.rotation), scale: vec(obj.scale) };
      if (before && JSON.stringify(before) !== JSON.stringify(after)) {
        Object.assign(node, after);
        history.record({ kind: "setNode", id: node.id, patch: after }, { kind: "setNode", id: node.id, patch: before });
      }
      before = null;
    });
    let down: { x: number; y: number } | null = null;
    const onDown = (e: PointerEvent) => { down = { x: e.clientX, y: e.clientY }; };
    const onUp = (e: PointerEvent) => {
      if (!down || gizmo.dragging) return;
      if (Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) < 4) select(view.pick(e.clientX, e.clientY));
      down = null;
    };
    canvas.addEventListener("pointerdown", onDown);
    canvas.addEventListener("pointerup", onUp);
    if (selectedRef.current) select(selectedRef.current);
    window.__verse = {
      doc: () => docRef.current,
      revision: () => revisionRef.current,
      saveState: () => saveStateRef.current,
      selected: () => selectedRef.current,
      panel: () => panelRef.current,
      camera: () => ({ position: vec(view.camera.position), target: vec(orbit.target) }),
      saves: debug.current.saves,
      get frames() { return debug.current.frames; },
      get firstFrameMs() { return debug.current.firstFrameMs; },
      ktx2Textures: () => view.ktx2Textures,
      loadTranscoder: () => view.loadTranscoder(),
    } as Window["__verse"];
    return () => {
      canvas.removeEventListener("pointerdown", onDown);
      canvas.removeEventListener("pointerup", onUp);
      gizmo.detach();
      gizmo.dispose();
      orbit.dispose();
      view.dispose();
      viewRef.current = null;
      gizmoRef.current = null;
    };
  }, [worldId, history, select, persisted]);

  useEffect(() => { gizmoRef.current?.setMode(mode); }, [mode]);
  useEffect(() => { verseApi.assets(worldId).then((a) => setAssets(a.items)).catch(() => undefined); }, [worldId]);
  // Leaving with unsaved changes: save at once.
  useEffect(() => () => { if (changedSinceSave.current) void saveNow(); }, [saveNow]);

  const removeSelected = useCallback(() => {
    const sel = selectedRef.current;
    if (sel) {
      run({ kind: "removeNode", id: sel });
      select(null);
    }
  }, [run, select]);

  // Keyboard shortcuts (not while typing in a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "z") { e.preventDefault(); if (e.shiftKey) history.redo(); else history.undo(); }
      else if (mod && e.key.toLowerCase() === "y") { e.preventDefault(); history.redo(); }
      else if (mod && e.key.toLowerCase() === "s") { e.preventDefault(); void saveNow(); }
      else if (!mod && e.key === "w") setMode("translate");
      else if (!mod && e.key === "e") setMode("rotate");
      else if (!mod && e.key === "r") setMode("scale");
      else if (e.key === "Delete" || e.key === "Backspace") removeSelected();
      else if (e.key === "Escape") select(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [history, saveNow, removeSelected, select]);

  const doc = docRef.current;
  const assetCosts = useMemo(() => Object.fromEntries(assets.map((a) => [a.hash, a as AssetCost])), [assets]);
  const budget = measure(doc, assetCosts);
  const node = selected ? doc.nodes.find((n) => n.id === selected) ?? null : null;

  const addPrimitive = (type: (typeof PRIMITIVES)[number]) => {
    const target = viewRef.current ? vec(new THREE.Vector3().fromArray(doc.camera.target)) : [0, 0.5, 0] as Vec3;
    const { ops, id } = addPrimitiveOps(doc, type, "#4f8cff", [target[0], 0.5, target[2]]);
    run(ops);
    select(id);
  };
  const addLight = () => {
    const id = freshId(doc, "light");
    run({ kind: "addNode", index: doc.nodes.length, node: {
      id, name: `Light ${id.split("-").pop()}`, parent: null, type: "light", position: [0, 4, 0], rotation: [0, 0, 0], scale: [1, 1, 1], visible: true,
      light: { kind: "point", color: "#ffffff", intensity: 10, distance: 0 } } });
    select(id);
  };
  const addGroup = () => {
    const id = freshId(doc, "group");
    run({ kind: "addNode", index: doc.nodes.length, node: { id, name: `Group ${id.split("-").pop()}`, parent: null, type: "group", position: [0, 0, 0], rotation: [0, 0, 0], scale: [1, 1, 1], visible: true } });
    select(id);
  };
  const importModel = async (file: File) => {
    try {
      await ensureCsrf();
      const a = await verseApi.upload(worldId, file);
      setAssets((prev) => (prev.some((p) => p.hash === a.hash) ? prev : [...prev, a]));
      if (a.kind !== "model") return;
      const id = freshId(doc, "model");
      run({ kind: "addNode", index: doc.nodes.length, node: { id, name: file.name.slice(0, 200), parent: null, type: "model", asset: a.hash, position: [0, 0, 0], rotation: [0, 0, 0], scale: [1, 1, 1], visible: true } });
      select(id);
    } catch (e) {
      setSaveError(e instanceof Error ? e.message : String(e));
    }
  };
  const openPanel = (p: string) => {
    setPanel(p);
    savePersisted(worldId, { panel: p });
  };
  const reloadFrom = (w: World) => {
    docRef.current = w.document;
    revisionRef.current = w.revision;
    serializer.current.reset();
    viewRef.current?.rebuild(w.document);
    select(null);
    setServerBudget(w.budget);
    setSave("saved");
    setSaveError(null);
    changedSinceSave.current = false;
  };

  return (
    <div className="stack">
      <div className="page-head">
        <h1 data-testid="verse-world-title">{doc.title}</h1>
        <div className="row">
          <span className="badge badge--state" data-testid="verse-save-state" data-state={saveState} role="status">
            {saveState === "saved" ? `Saved · revision ${revisionRef.current}` : saveState === "pending" ? "Unsaved changes" : saveState === "saving" ? "Saving…" : saveState === "conflict" ? "Conflict" : "Not saved"}
          </span>
          <Link to={`/create?world=${worldId}`} className="btn" data-testid="verse-make-video">Make a video in this world</Link>
          <Link to="/verse" className="btn btn--ghost">All worlds</Link>
        </div>
      </div>
      {saveError ? <p role="alert" className="badge badge--bad">{saveError}</p> : null}
      {saveState === "conflict" ? <button type="button" className="btn" onClick={() => verseApi.get(worldId).then(reloadFrom)}>Reload newest revision</button> : null}
      <div className="verse-toolbar" role="toolbar" aria-label="World tools">
        {PRIMITIVES.map((p) => (
          <button key={p} type="button" className="btn btn--ghost" data-testid={`verse-add-${p}`} onClick={() => addPrimitive(p)}>+ {p}</button>
        ))}
        <button type="button" className="btn btn--ghost" data-testid="verse-add-light" onClick={addLight}>+ light</button>
        <button type="button" className="btn btn--ghost" onClick={addGroup}>+ group</button>
        <label className="btn btn--ghost">Import GLB
          <input type="file" accept=".glb,.gltf,.png,.jpg,.jpeg,.ktx2" hidden onChange={(e) => { const f = e.target.files?.[0]; if (f) void importModel(f); e.target.value = ""; }} />
        </label>
        <span aria-hidden="true">|</span>
        {(["translate", "rotate", "scale"] as const).map((m) => (
          <button key={m} type="button" className="btn btn--ghost" aria-pressed={mode === m} onClick={() => setMode(m)} title={`${m} (${m === "translate" ? "W" : m === "rotate" ? "E" : "R"})`}>{m}</button>
        ))}
        <button type="button" className="btn btn--ghost" data-testid="verse-undo" disabled={!history.canUndo} onClick={() => history.undo()} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" className="btn btn--ghost" data-testid="verse-redo" disabled={!history.canRedo} onClick={() => history.redo()} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <button type="button" className="btn btn--ghost" disabled={!node} onClick={removeSelected} title="Delete">Delete</button>
        <button type="button" className="btn" data-testid="verse-save" onClick={() => void saveNow()} title="Save now (Ctrl+S)">Save</button>
      </div>
      <div className="verse-editor">
        <aside aria-label="Scene">
          <section className="card">
            <h2>Scene</h2>
            <SceneTree doc={doc} parent={null} selected={selected} onSelect={select} />
          </section>
        </aside>
        <div className="verse-stage"><canvas ref={canvasRef} data-testid="verse-canvas" aria-label="3D world; click an object to select it" /></div>
        <aside aria-label="Inspector">
          <div className="row" role="tablist">
            {["properties", "world", "share", "history"].map((p) => (
              <button key={p} type="button" role="tab" aria-selected={panel === p} className="btn btn--ghost" data-testid={`verse-panel-${p}`} onClick={() => openPanel(p)}>{p}</button>
            ))}
          </div>
          {panel === "properties" && (node ? <Properties doc={doc} node={node} run={run} textures={assets.filter((a) => a.kind === "texture")} /> : <p className="muted">Select an object in the scene or the list.</p>)}
          {panel === "world" && <WorldPanel doc={doc} run={run} />}
          {panel === "share" && <SharePanel worldId={worldId} live={budget} server={serverBudget} beforeShare={saveNow} view={viewRef} />}
          {panel === "history" && <HistoryPanel worldId={worldId} onRestored={reloadFrom} current={revisionRef.current} />}
          <section className="card">
            <h3>Budget</h3>
            <BudgetTable budget={budget} />
          </section>
        </aside>
      </div>
    </div>
  );
}

function SceneTree({ doc, parent, selected, onSelect }: { doc: WorldDoc; parent: string | null; selected: string | null; onSelect: (id: string) => void }) {
  const children = doc.nodes.filter((n) => n.parent === parent);
  if (children.length === 0) return null;
  return (
    <ul className="verse-tree" data-testid={parent === null ? "verse-tree" : undefined}>
      {children.map((n) => (
        <li key={n.id}>
          <button type="button" aria-current={selected === n.id} onClick={() => onSelect(n.id)} title={`${n.name} (${n.type})`}>
            {n.name || n.id} <span className="muted">{n.type}</span>
          </button>
          <SceneTree doc={doc} parent={n.id} selected={selected} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
}

function NumberField({ label, value, onCommit, step = 0.1 }: { label: string; value: number; onCommit: (v: number) => void; step?: number }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => {
    const v = Number(text);
    if (Number.isFinite(v) && v !== value) onCommit(v);
    else setText(String(value));
  };
  return <input type="number" aria-label={label} step={step} value={text} onChange={(e) => setText(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === "Enter" && commit()} />;
}

function Properties({ doc, node, run, textures }: { doc: WorldDoc; node: WorldNode; run: (op: Op) => void; textures: { hash: string; name: string }[] }) {
  const [name, setName] = useState(node.name);
  useEffect(() => setName(node.name), [node.id, node.name]);
  const vecRow = (key: "position" | "rotation" | "scale", label: string, toUi = (v: number) => v, fromUi = (v: number) => v) => (
    <div className="field"><span>{label}</span>
      <div className="verse-vec">
        {[0, 1, 2].map((i) => (
          <NumberField key={i} label={`${label} ${"xyz"[i]}`} value={round(toUi(node[key][i]))} onCommit={(v) => {
            const next = [...node[key]] as Vec3;
            next[i] = fromUi(v);
            run({ kind: "setNode", id: node.id, patch: { [key]: next } });
          }} />
        ))}
      </div>
    </div>
  );
  const material = node.material ? doc.materials[node.material] : undefined;
  return (
    <section className="card stack" data-testid="verse-properties">
      <label className="field"><span>Name</span>
        <input value={name} maxLength={200} data-testid="verse-name" onChange={(e) => setName(e.target.value)}
          onBlur={() => name !== node.name && run({ kind: "setNode", id: node.id, patch: { name } })}
          onKeyDown={(e) => e.key === "Enter" && name !== node.name && run({ kind: "setNode", id: node.id, patch: { name } })} />
      </label>
      <p className="muted">{node.type}{node.asset ? ` · ${node.asset.slice(0, 12)}…` : ""}</p>
      {vecRow("position", "Position")}
      {vecRow("rotation", "Rotation (°)", (v) => (v * 180) / Math.PI, (v) => (v * Math.PI) / 180)}
      {node.type !== "light" && vecRow("scale", "Scale")}
      <label className="row"><input type="checkbox" checked={node.visible !== false} onChange={(e) => run({ kind: "setNode", id: node.id, patch: { visible: e.target.checked } })} /> Visible</label>
      {material && node.material && (
        <>
          <label className="field"><span>Colour</span>
            <input type="color" data-testid="verse-color" value={material.color}
              onChange={(e) => run({ kind: "setMaterial", id: node.material!, value: { ...material, color: e.target.value } })} />
          </label>
          <label className="field"><span>Texture</span>
            <select data-testid="verse-texture" value={material.map ?? ""}
              onChange={(e) => run({ kind: "setMaterial", id: node.material!, value: { ...material, map: e.target.value || null } })}>
              <option value="">None</option>
              {textures.map((t) => <option key={t.hash} value={t.hash}>{t.name || t.hash.slice(0, 12)}</option>)}
            </select>
          </label>
          <label className="field"><span>Roughness {material.roughness ?? 0.8}</span>
            <input type="range" min={0} max={1} step={0.05} value={material.roughness ?? 0.8}
              onChange={(e) => run({ kind: "setMaterial", id: node.material!, value: { ...material, roughness: Number(e.target.value) } })} />
          </label>
          <label className="field"><span>Metalness {material.metalness ?? 0}</span>
            <input type="range" min={0} max={1} step={0.05} value={material.metalness ?? 0}
              onChange={(e) => run({ kind: "setMaterial", id: node.material!, value: { ...material, metalness: Number(e.target.value) } })} />
          </label>
          <p className="muted">Material “{material.name ?? node.material}” is shared by {doc.nodes.filter((n) => n.material === node.material).length} object(s).</p>
        </>
      )}
      {node.light && (
        <>
          <label className="field"><span>Light colour</span>
            <input type="color" value={node.light.color} onChange={(e) => run({ kind: "setNode", id: node.id, patch: { light: { ...node.light!, color: e.target.value } } })} />
          </label>
          <label className="field"><span>Intensity</span>
            <NumberField label="Light intensity" value={node.light.intensity} step={0.5} onCommit={(v) => run({ kind: "setNode", id: node.id, patch: { light: { ...node.light!, intensity: Math.max(0, v) } } })} />
          </label>
        </>
      )}
    </section>
  );
}

function WorldPanel({ doc, run }: { doc: WorldDoc; run: (op: Op) => void }) {
  const env = doc.environment;
  const set = (patch: Partial<typeof env>) => run({ kind: "setEnvironment", value: { ...env, ...patch } });
  const [title, setTitle] = useState(doc.title);
  return (
    <section className="card stack" data-testid="verse-world-panel">
      <label className="field"><span>Title</span>
        <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} onBlur={() => title !== doc.title && run({ kind: "setTitle", value: title })} />
      </label>
      <div className="row">
        <label className="field"><span>Sky top</span><input type="color" data-testid="verse-sky-top" value={env.sky.top} onChange={(e) => set({ sky: { ...env.sky, top: e.target.value } })} /></label>
        <label className="field"><span>Sky horizon</span><input type="color" value={env.sky.bottom} onChange={(e) => set({ sky: { ...env.sky, bottom: e.target.value } })} /></label>
      </div>
      <label className="row"><input type="checkbox" data-testid="verse-fog" checked={!!env.fog} onChange={(e) => set({ fog: e.target.checked ? { color: env.sky.bottom, near: 10, far: 100 } : null })} /> Fog</label>
      {env.fog && (
        <div className="row">
          <label className="field"><span>Fog colour</span><input type="color" value={env.fog.color} onChange={(e) => set({ fog: { ...env.fog!, color: e.target.value } })} /></label>
          <label className="field"><span>Near</span><NumberField label="Fog near" value={env.fog.near} step={1} onCommit={(v) => v >= 0 && v < env.fog!.far && set({ fog: { ...env.fog!, near: v } })} /></label>
          <label className="field"><span>Far</span><NumberField label="Fog far" value={env.fog.far} step={1} onCommit={(v) => v > env.fog!.near && set({ fog: { ...env.fog!, far: v } })} /></label>
        </div>
      )}
      <label className="field"><span>Ambient light {env.ambient.intensity}</span>
        <input type="range" min={0} max={2} step={0.05} value={env.ambient.intensity} onChange={(e) => set({ ambient: { ...env.ambient, intensity: Number(e.target.value) } })} />
      </label>
    </section>
  );
}

function BudgetTable({ budget }: { budget: Budget }) {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  const rows: [string, Budget["triangles"], (n: number) => string][] = [
    ["Triangles", budget.triangles, String], ["Materials", budget.materials, String],
    ["Lights", budget.lights, String], ["Texture memory", budget.texture_bytes, mb],
  ];
  return (
    <div className="verse-budget" data-testid="verse-budget">
      {rows.map(([label, item, f]) => (
        <Row key={label} label={label}><span data-ok={item.ok}>{f(item.used)} / {f(item.limit)}</span></Row>
      ))}
      <Row label="Objects"><span>{budget.nodes}</span></Row>
    </div>
  );
}
function Row({ label, children }: { label: string; children: ReactNode }) {
  return <><span>{label}</span>{children}</>;
}

function SharePanel({ worldId, live, server, beforeShare, view }: { worldId: number; live: Budget; server: Budget; beforeShare: () => Promise<void>; view: React.RefObject<WorldView | null> }) {
  const [share, setShare] = useState<Share | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [still, setStill] = useState<string | null>(null);
  const make = async () => {
    try {
      await beforeShare();
      setShare(await verseApi.share(worldId));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card stack" data-testid="verse-share-panel">
      <h3>Share a read-only link</h3>
      <p className="muted">Anyone with the link sees this world (its newest saved revision) and nothing else, without signing in. Shared worlds are data only: nothing in them runs as code.</p>
      <p>{live.within_share_budget ? "Within the sharing budget (Spoke’s low tier)." : "Over the sharing budget: phones and laptops may struggle."}</p>
      <BudgetTable budget={live} />
      <p className="muted">Last saved: {server.triangles.used} triangles, {server.materials.used} materials.</p>
      <button type="button" className="btn btn--primary" data-testid="verse-share" onClick={make}>Create link</button>
      {share && (
        <label className="field"><span>Link</span>
          <input readOnly data-testid="verse-share-url" value={share.url} onFocus={(e) => e.target.select()} />
        </label>
      )}
      {error ? <ErrorNote error={error} /> : null}
      <h3>Picture for a video</h3>
      <p className="muted">A 1280×720 still of the current view, to use as a scene’s picture.</p>
      <button type="button" className="btn" data-testid="verse-still" onClick={() => setStill(view.current?.still() ?? null)}>Render still</button>
      {still && <a className="btn btn--ghost" href={still} download={`world-${worldId}.png`}>Download PNG</a>}
    </section>
  );
}

function HistoryPanel({ worldId, current, onRestored }: { worldId: number; current: number; onRestored: (w: World) => void }) {
  const [revs, setRevs] = useState<Revision[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { verseApi.revisions(worldId).then((r) => setRevs(r.items)).catch(setError); }, [worldId, current]);
  const restore = async (rev: number) => {
    try {
      await ensureCsrf();
      onRestored(await verseApi.restore(worldId, rev));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card stack" data-testid="verse-history">
      <h3>Revisions</h3>
      {error ? <ErrorNote error={error} /> : null}
      {revs === null ? <p className="muted">Loading…</p> : (
        <ul className="stack" role="list">
          {revs.map((r) => (
            <li key={r.revision} className="row row--between">
              <span>#{r.revision} · {r.nodes} objects · {new Date(r.created_at).toLocaleTimeString()} <span className="muted">{r.note}</span></span>
              {r.current ? <span className="badge">current</span> : <button type="button" className="btn btn--ghost" onClick={() => restore(r.revision)}>Restore</button>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
