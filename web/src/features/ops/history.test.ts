import { describe, expect, it } from "vitest";
import { fromDatabase, fromSummary, gpuMemoryShare, labelledSeries, type OpsHistory } from "./history";

describe("dashboard history", () => {
  it("turns the database's [t, value] pairs into plot values, series by series", () => {
    const h: OpsHistory = {
      range: "24h", from: 0, to: 180_000, resolution_seconds: 60,
      series: { queue_depth: [[60_000, 2], [120_000, 3.5]], jobs_completed: [[120_000, 4]], data_bytes: [] },
    };
    const d = fromDatabase(h);
    expect(d.source).toBe("database");
    expect(d.resolutionSeconds).toBe(60);
    expect(d.queue_depth).toEqual([{ x: 60_000, y: 2 }, { x: 120_000, y: 3.5 }]);
    expect(d.jobs_completed).toEqual([{ x: 120_000, y: 4 }]);
    expect(d.data_bytes).toEqual([]);
    expect(d.viewers).toEqual([]); // a series the answer lacks is empty, not missing
  });

  it("falls back to the summary's samples, GPU only where reported", () => {
    const d = fromSummary([
      { t: 1, queued: 1, running: 0, data_bytes: 10, disk_free_bytes: 100, viewers: 2 },
      { t: 2, queued: 0, running: 1, data_bytes: 12, disk_free_bytes: 99, viewers: 3, gpu_utilization: 0.5, gpu_memory_used_bytes: 4, gpu_memory_size_bytes: 8 },
    ]);
    expect(d.source).toBe("memory");
    expect(d.queue_depth.map((p) => p.y)).toEqual([1, 0]);
    expect(d.jobs_running.map((p) => p.y)).toEqual([0, 1]);
    expect(d.viewers.map((p) => p.y)).toEqual([2, 3]);
    expect(d.gpu_utilization).toEqual([{ x: 2, y: 0.5 }]);
    expect(d.jobs_completed).toEqual([]);
    expect(gpuMemoryShare(d)).toEqual([{ x: 2, y: 0.5 }]);
  });
});

describe("remote GPU host series", () => {
  it("keeps labelled series from the database and names them by their labels", () => {
    const h: OpsHistory = {
      range: "24h", from: 0, to: 180_000, resolution_seconds: 60,
      series: {
        queue_depth: [[60_000, 1]],
        "gpu_device_memory_used_bytes|comfyui|gpu1:8188|cuda:1": [[60_000, 5]],
        "gpu_device_memory_used_bytes|comfyui|gpu1:8188|cuda:0": [[60_000, 2], [120_000, 4]],
        "ollama_vram_bytes|gpu2:11434": [[120_000, 3e9]],
        "not_a_series|x": [[1, 1]],
      },
    };
    const d = fromDatabase(h);
    const used = labelledSeries(d, "gpu_device_memory_used_bytes");
    expect(used.map((s) => s.name)).toEqual(["comfyui gpu1:8188 cuda:0", "comfyui gpu1:8188 cuda:1"]);
    expect(used[0].values).toEqual([{ x: 60_000, y: 2 }, { x: 120_000, y: 4 }]);
    expect(labelledSeries(d, "ollama_vram_bytes")).toEqual([{ name: "gpu2:11434", values: [{ x: 120_000, y: 3e9 }] }]);
    expect(Object.keys(d.labelled)).not.toContain("not_a_series|x");
    expect(labelledSeries(fromDatabase({ ...h, series: {} }), "ollama_vram_bytes")).toEqual([]);
  });

  it("builds them from the summary's samples too", () => {
    const d = fromSummary([
      { t: 1, queued: 0, running: 0, data_bytes: 0, disk_free_bytes: 0, viewers: 0, gpu_hosts: { "ollama_vram_bytes|h:1": 7 } },
      { t: 2, queued: 0, running: 0, data_bytes: 0, disk_free_bytes: 0, viewers: 0 },
      { t: 3, queued: 0, running: 0, data_bytes: 0, disk_free_bytes: 0, viewers: 0, gpu_hosts: { "ollama_vram_bytes|h:1": 9 } },
    ]);
    expect(labelledSeries(d, "ollama_vram_bytes")).toEqual([{ name: "h:1", values: [{ x: 1, y: 7 }, { x: 3, y: 9 }] }]);
  });
});
