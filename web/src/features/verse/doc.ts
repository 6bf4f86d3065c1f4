/**
 * The Verse world document (api/verse-world.schema.json) and the operations the editor applies
 * to it. Every change is an operation with an inverse (undo/redo), applied in place to a plain
 * JSON document: nothing re-serialises the scene per change, and the three.js view is updated
 * for the touched nodes only (see scene.ts).
 */
export type Vec3 = [number, number, number];
export type PrimitiveType = "box" | "sphere" | "cylinder" | "cone" | "plane" | "torus";
export type NodeType = "group" | "light" | "model" | PrimitiveType;
export const PRIMITIVES: PrimitiveType[] = ["box", "sphere", "cylinder", "cone", "plane", "torus"];

export interface LightSpec {
  kind: "directional" | "point" | "spot" | "hemisphere";
  color: string;
  intensity: number;
  distance?: number;
  angle?: number;
  groundColor?: string;
  castShadow?: boolean;
}

export interface WorldNode {
  id: string;
  name: string;
  parent: string | null;
  type: NodeType;
  position: Vec3;
  rotation: Vec3;
  scale: Vec3;
  visible?: boolean;
  material?: string;
  segments?: number;
  light?: LightSpec;
  asset?: string;
}

export interface Material {
  name?: string;
  color: string;
  roughness?: number;
  metalness?: number;
  emissive?: string;
  emissiveIntensity?: number;
  opacity?: number;
  map?: string | null;
}

export interface Environment {
  sky: { top: string; bottom: string };
  fog: null | { color: string; near: number; far: number };
  ambient: { color: string; intensity: number };
}

export interface WorldDoc {
  format: string;
  version: number;
  title: string;
  environment: Environment;
  camera: { position: Vec3; target: Vec3; fov: number };
  materials: Record<string, Material>;
  nodes: WorldNode[];
}

export type Op =
  | { kind: "addNode"; node: WorldNode; index: number }
  | { kind: "removeNode"; id: string }
  | { kind: "setNode"; id: string; patch: Partial<WorldNode> }
  | { kind: "setMaterial"; id: string; value: Material | null }
  | { kind: "setEnvironment"; value: Environment }
  | { kind: "setTitle"; value: string }
  | { kind: "batch"; ops: Op[] };

const clone = <T,>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** The ids of `id` and every node below it, in document order. */
export function subtree(doc: WorldDoc, id: string): Set<string> {
  const out = new Set<string>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of doc.nodes) {
      if (n.parent && out.has(n.parent) && !out.has(n.id)) {
        out.add(n.id);
        grew = true;
      }
    }
  }
  return out;
}

/** Applies `op` to `doc` in place and returns the operation that undoes it. */
export function applyOp(doc: WorldDoc, op: Op): Op {
  switch (op.kind) {
    case "addNode": {
      if (doc.nodes.some((n) => n.id === op.node.id)) throw new Error(`node ${op.node.id} exists`);
      const index = Math.max(0, Math.min(op.index, doc.nodes.length));
      doc.nodes.splice(index, 0, clone(op.node));
      return { kind: "removeNode", id: op.node.id };
    }
    case "removeNode": {
      const ids = subtree(doc, op.id);
      const removed: Op[] = [];
      doc.nodes.forEach((n, i) => {
        if (ids.has(n.id)) removed.push({ kind: "addNode", node: n, index: i });
      });
      doc.nodes = doc.nodes.filter((n) => !ids.has(n.id));
      return { kind: "batch", ops: removed };
    }
    case "setNode": {
      const node = doc.nodes.find((n) => n.id === op.id);
      if (!node) throw new Error(`no node ${op.id}`);
      const before: Partial<WorldNode> = {};
      const rec = node as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(op.patch)) {
        (before as Record<string, unknown>)[k] = clone(rec[k]);
        if (v === undefined) delete rec[k];
        else rec[k] = clone(v);
      }
      return { kind: "setNode", id: op.id, patch: before };
    }
    case "setMaterial": {
      const before = doc.materials[op.id] ? clone(doc.materials[op.id]) : null;
      if (op.value === null) delete doc.materials[op.id];
      else doc.materials[op.id] = clone(op.value);
      return { kind: "setMaterial", id: op.id, value: before };
    }
    case "setEnvironment": {
      const before = clone(doc.environment);
      doc.environment = clone(op.value);
      return { kind: "setEnvironment", value: before };
    }
    case "setTitle": {
      const before = doc.title;
      doc.title = op.value;
      return { kind: "setTitle", value: before };
    }
    case "batch": {
      const inverses = op.ops.map((o) => applyOp(doc, o));
      return { kind: "batch", ops: inverses.reverse() };
    }
  }
}

/** Undo/redo by operations. `onApply` sees every applied operation (to update the view). */
export class History {
  private undos: Op[] = [];
  private redos: Op[] = [];
  constructor(
    private readonly doc: WorldDoc,
    private readonly onApply: (op: Op) => void,
    private readonly limit = 500,
  ) {}
  run(op: Op): void {
    this.undos.push(applyOp(this.doc, op));
    if (this.undos.length > this.limit) this.undos.shift();
    this.redos = [];
    this.onApply(op);
  }
  /** Records a change already made (e.g. a gizmo drag) by its inverse. */
  record(done: Op, inverse: Op): void {
    this.undos.push(inverse);
    if (this.undos.length > this.limit) this.undos.shift();
    this.redos = [];
    this.onApply(done);
  }
  undo(): boolean {
    const inv = this.undos.pop();
    if (!inv) return false;
    this.redos.push(applyOp(this.doc, inv));
    this.onApply(inv);
    return true;
  }
  redo(): boolean {
    const op = this.redos.pop();
    if (!op) return false;
    this.undos.push(applyOp(this.doc, op));
    this.onApply(op);
    return true;
  }
  get canUndo(): boolean {
    return this.undos.length > 0;
  }
  get canRedo(): boolean {
    return this.redos.length > 0;
  }
}

/** A node id not used in `doc` ("box-3", ...). */
export function freshId(doc: WorldDoc, prefix: string): string {
  const used = new Set(doc.nodes.map((n) => n.id));
  for (let i = 1; ; i++) {
    const id = `${prefix}-${i}`;
    if (!used.has(id)) return id;
  }
}

/** A material id not used in `doc`. */
export function freshMaterialId(doc: WorldDoc, prefix: string): string {
  for (let i = 1; ; i++) {
    const id = `${prefix}-${i}`;
    if (!doc.materials[id]) return id;
  }
}

/** Operations that add a primitive with a material of its own (so its colour is its own). */
export function addPrimitiveOps(doc: WorldDoc, type: PrimitiveType, color = "#4f8cff", at: Vec3 = [0, 0.5, 0]): { ops: Op; id: string } {
  const id = freshId(doc, type);
  const mat = freshMaterialId(doc, `${type}-paint`);
  const name = `${type[0].toUpperCase()}${type.slice(1)} ${id.split("-").pop()}`;
  const node: WorldNode = {
    id, name, parent: null, type, position: at, rotation: [type === "plane" ? -Math.PI / 2 : 0, 0, 0],
    scale: [1, 1, 1], visible: true, material: mat,
  };
  return {
    id,
    ops: {
      kind: "batch",
      ops: [
        { kind: "setMaterial", id: mat, value: { name: mat, color, roughness: 0.6, metalness: 0, emissive: "#000000", emissiveIntensity: 0, opacity: 1 } },
        { kind: "addNode", node, index: doc.nodes.length },
      ],
    },
  };
}

/** Triangles a primitive draws (the server's count, document.cpp PrimitiveTriangles). */
export function primitiveTriangles(type: string, segments = 32): number {
  const s = segments;
  switch (type) {
    case "box": return 12;
    case "plane": return 2;
    case "sphere": return 2 * s * (Math.max(2, Math.floor(s / 2)) - 1);
    case "cylinder": return 4 * s;
    case "cone": return 3 * s;
    case "torus": return 2 * s * Math.max(3, Math.floor(s / 3));
    default: return 0;
  }
}

export interface AssetCost { kind: string; triangles?: number; materials?: number; texture_bytes?: number }
export interface BudgetItem { used: number; limit: number; ok: boolean }
export interface Budget {
  nodes: number;
  triangles: BudgetItem;
  materials: BudgetItem;
  lights: BudgetItem;
  texture_bytes: BudgetItem;
  within_share_budget: boolean;
}

/** The budget the server will report, computed live in the browser (Spoke's "low" limits). */
export function measure(doc: WorldDoc, assets: Record<string, AssetCost> = {}): Budget {
  let triangles = 0;
  let lights = 0;
  let textureBytes = 0;
  let extraMaterials = 0;
  const used = new Set<string>();
  const models = new Set<string>();
  const textures = new Set<string>();
  for (const m of Object.values(doc.materials)) {
    if (m.map && !textures.has(m.map)) {
      textures.add(m.map);
      textureBytes += assets[m.map]?.texture_bytes ?? 0;
    }
  }
  for (const n of doc.nodes) {
    if (n.type === "light") lights++;
    else if (n.type === "model" && n.asset) {
      const a = assets[n.asset];
      triangles += a?.triangles ?? 0;
      if (!models.has(n.asset)) {
        models.add(n.asset);
        extraMaterials += a?.materials ?? 0;
        textureBytes += a?.texture_bytes ?? 0;
      }
    } else if (n.type !== "group") {
      triangles += primitiveTriangles(n.type, n.segments ?? 32);
      if (n.material) used.add(n.material);
    }
  }
  const item = (u: number, limit: number): BudgetItem => ({ used: u, limit, ok: u <= limit });
  const b = {
    nodes: doc.nodes.length,
    triangles: item(triangles, 50_000),
    materials: item(used.size + extraMaterials, 25),
    lights: item(lights, 3),
    texture_bytes: item(textureBytes, 256 * 1024 * 1024),
  };
  return { ...b, within_share_budget: b.triangles.ok && b.materials.ok && b.lights.ok && b.texture_bytes.ok };
}
