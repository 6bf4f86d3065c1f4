import { describe, expect, it } from "vitest";
import { addPrimitiveOps, applyOp, History, measure, type Op, type WorldDoc } from "./doc";

function world(): WorldDoc {
  return {
    format: "beacon.verse.world", version: 2, title: "T",
    environment: { sky: { top: "#000000", bottom: "#111111" }, fog: null, ambient: { color: "#ffffff", intensity: 0.4 } },
    camera: { position: [1, 2, 3], target: [0, 0, 0], fov: 50 },
    materials: { floor: { color: "#888888" } },
    nodes: [
      { id: "g", name: "Group", parent: null, type: "group", position: [0, 0, 0], rotation: [0, 0, 0], scale: [1, 1, 1] },
      { id: "a", name: "A", parent: "g", type: "box", material: "floor", position: [0, 0, 0], rotation: [0, 0, 0], scale: [1, 1, 1] },
      { id: "l", name: "Sun", parent: null, type: "light", light: { kind: "directional", color: "#ffffff", intensity: 1 }, position: [0, 5, 0], rotation: [0, 0, 0], scale: [1, 1, 1] },
    ],
  };
}

describe("verse operations", () => {
  it("undo and redo restore the exact document", () => {
    const doc = world();
    const start = JSON.stringify(doc);
    const seen: Op[] = [];
    const h = new History(doc, (op) => seen.push(op));
    const { ops, id } = addPrimitiveOps(doc, "sphere", "#ff0000");
    h.run(ops);
    h.run({ kind: "setNode", id, patch: { position: [3, 1, 2], name: "Ball" } });
    h.run({ kind: "setMaterial", id: doc.nodes.find((n) => n.id === id)!.material!, value: { color: "#00ff00" } });
    h.run({ kind: "removeNode", id: "g" });
    expect(doc.nodes.map((n) => n.id)).toEqual(["l", id]);
    const end = JSON.stringify(doc);
    while (h.undo());
    expect(JSON.stringify(doc)).toBe(start);
    while (h.redo());
    expect(JSON.stringify(doc)).toBe(end);
    expect(seen.length).toBe(12);
  });

  it("removing a group removes its children and undo puts them back in place", () => {
    const doc = world();
    const inv = applyOp(doc, { kind: "removeNode", id: "g" });
    expect(doc.nodes.map((n) => n.id)).toEqual(["l"]);
    applyOp(doc, inv);
    expect(doc.nodes.map((n) => n.id)).toEqual(["g", "a", "l"]);
  });

  it("measures budgets like the server", () => {
    const doc = world();
    const b = measure(doc);
    expect(b.triangles.used).toBe(12);
    expect(b.lights.used).toBe(1);
    expect(b.materials.used).toBe(1);
    expect(b.within_share_budget).toBe(true);
    for (let i = 0; i < 60; i++) applyOp(doc, addPrimitiveOps(doc, "sphere").ops);
    expect(measure(doc).triangles.ok).toBe(false);
    expect(measure(doc).within_share_budget).toBe(false);
  });

  it("an autosave of a 500-object world serialises plain data (time reported)", () => {
    const doc = world();
    for (let i = 0; i < 500; i++) applyOp(doc, addPrimitiveOps(doc, "box").ops);
    const t0 = performance.now();
    const body = JSON.stringify(doc);
    const ms = performance.now() - t0;
    console.log(`verse autosave serialise: ${doc.nodes.length} nodes, ${body.length} bytes, ${ms.toFixed(2)} ms`);
    expect(JSON.parse(body).nodes.length).toBe(503);
  });
});

describe("incremental autosave serialisation", () => {
  it("writes the same JSON as a full serialisation, re-writing only touched nodes", async () => {
    const { IncrementalSerializer } = await import("./serialize");
    const doc = world();
    const s = new IncrementalSerializer();
    for (let i = 0; i < 500; i++) {
      const { ops } = addPrimitiveOps(doc, "box");
      applyOp(doc, ops);
      s.touched(ops);
    }
    expect(JSON.parse(s.serialize(doc))).toEqual(JSON.parse(JSON.stringify(doc)));
    const op: Op = { kind: "setNode", id: "box-7", patch: { position: [9, 9, 9] } };
    applyOp(doc, op);
    // Not yet told: the cached node is stale (proves the cache is used).
    expect(JSON.parse(s.serialize(doc)).nodes.find((n: { id: string }) => n.id === "box-7").position).toEqual([0, 0.5, 0]);
    s.touched(op);
    const t0 = performance.now();
    const text = s.serialize(doc);
    const ms = performance.now() - t0;
    console.log(`verse incremental autosave: ${doc.nodes.length} nodes, one touched, ${ms.toFixed(2)} ms`);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(doc)));
    applyOp(doc, { kind: "removeNode", id: "box-8" });
    s.touched({ kind: "removeNode", id: "box-8" });
    expect(JSON.parse(s.serialize(doc))).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
