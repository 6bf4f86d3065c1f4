import type { Op, WorldDoc } from "./doc";

/**
 * Serialises a world for autosave without re-serialising what did not change: each node's and
 * material's JSON is cached and only the ones the operations touched are written again. The
 * main-thread cost of a save is then proportional to the edit, not to the world (the three.js
 * editor's whole-scene toJSON per change froze big scenes: three.js #15853, #18220).
 */
export class IncrementalSerializer {
  private nodes = new Map<string, string>();
  private materials = new Map<string, string>();

  /** Marks what `op` touched as needing to be written again. */
  touched(op: Op): void {
    switch (op.kind) {
      case "addNode":
        this.nodes.delete(op.node.id);
        break;
      case "removeNode":
      case "setNode":
        this.nodes.delete(op.id);
        break;
      case "setMaterial":
        this.materials.delete(op.id);
        break;
      case "batch":
        op.ops.forEach((o) => this.touched(o));
        break;
      default:
        break;
    }
  }

  /** Forgets every cached piece (after loading another document). */
  reset(): void {
    this.nodes.clear();
    this.materials.clear();
  }

  serialize(doc: WorldDoc): string {
    const nodeParts: string[] = new Array(doc.nodes.length);
    const live = new Set<string>();
    for (let i = 0; i < doc.nodes.length; i++) {
      const n = doc.nodes[i];
      live.add(n.id);
      let s = this.nodes.get(n.id);
      if (s === undefined) {
        s = JSON.stringify(n);
        this.nodes.set(n.id, s);
      }
      nodeParts[i] = s;
    }
    if (this.nodes.size > live.size) for (const id of this.nodes.keys()) if (!live.has(id)) this.nodes.delete(id);
    const matParts: string[] = [];
    for (const [id, m] of Object.entries(doc.materials)) {
      let s = this.materials.get(id);
      if (s === undefined) {
        s = JSON.stringify(m);
        this.materials.set(id, s);
      }
      matParts.push(`${JSON.stringify(id)}:${s}`);
    }
    const head = JSON.stringify({
      format: doc.format, version: doc.version, title: doc.title, environment: doc.environment, camera: doc.camera,
    });
    return `${head.slice(0, -1)},"materials":{${matParts.join(",")}},"nodes":[${nodeParts.join(",")}]}`;
  }
}
