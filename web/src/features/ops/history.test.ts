import { describe, expect, it } from "vitest";
import { fromDatabase, fromSummary, gpuMemoryShare, type OpsHistory } from "./history";

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
