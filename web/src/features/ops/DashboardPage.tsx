import { useQuery } from "@tanstack/react-query";
import { formatBytes } from "../../components/format";
import { ErrorNote } from "../../components/ui";
import { opsApi, opsKeys, type OpsGpuHost, type OpsSummary } from "./api";
import { fromDatabase, fromSummary, gpuMemoryShare, labelledSeries, type DashboardHistory } from "./history";
import { scaleSeries, type Series } from "./plot";

const BOX = { width: 320, height: 120, pad: 8 };
const COLORS = ["var(--color-accent, #2f6fed)", "var(--color-warning, #d97706)", "var(--color-success, #16a34a)"];

/** A small line plot in inline SVG, with its largest value and a legend. */
function Plot({ id, title, series, unit, minYMax = 1 }: { id: string; title: string; series: Series[]; unit: (n: number) => string; minYMax?: number }) {
  const points = series.reduce((n, s) => n + s.values.length, 0);
  const scaled = scaleSeries(series, BOX, minYMax);
  return (
    <figure className="card" data-testid={`plot-${id}`} style={{ margin: 0, padding: "var(--space-3, 12px)" }}>
      <figcaption style={{ display: "flex", justifyContent: "space-between", gap: 8 }}>
        <strong>{title}</strong>
        <span className="small muted">max {unit(scaled.yMax)}</span>
      </figcaption>
      {points === 0 ? <p className="muted small" data-testid={`plot-${id}-empty`}>No data yet.</p> : (
        <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} width="100%" role="img" aria-label={`${title}: ${series.map((s) => `${s.name} ${s.values.length ? unit(s.values[s.values.length - 1].y) : "none"}`).join(", ")}`}>
          <line x1={BOX.pad} y1={BOX.height - BOX.pad} x2={BOX.width - BOX.pad} y2={BOX.height - BOX.pad} stroke="currentColor" strokeOpacity="0.3" />
          {scaled.lines.map((pts, i) => (
            <polyline key={series[i].name} data-series={series[i].name} data-points={series[i].values.length} points={pts} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth="2" strokeLinejoin="round" />
          ))}
        </svg>
      )}
      {series.length > 1 && (
        <p className="small muted" style={{ margin: 0 }}>
          {series.map((s, i) => <span key={s.name} style={{ marginRight: 12 }}><span style={{ color: COLORS[i % COLORS.length] }}>■</span> {s.name}</span>)}
        </p>
      )}
    </figure>
  );
}

const count = (n: number) => String(Math.round(n * 10) / 10);
const secs = (n: number) => (n < 120 ? `${Math.round(n * 10) / 10} s` : `${Math.round(n / 6) / 10} min`);
const pct = (n: number) => `${Math.round(n * 100)} %`;

function Stat({ label, value, testid }: { label: string; value: string; testid: string }) {
  return (
    <div className="card" style={{ padding: "var(--space-3, 12px)" }}>
      <div className="small muted">{label}</div>
      <div style={{ fontSize: "1.4rem", fontWeight: 600 }} data-testid={testid}>{value}</div>
    </div>
  );
}

const clock = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
};

/**
 * The remote engine hosts' GPU memory: ComfyUI's devices (/system_stats) and Ollama's loaded
 * models (/api/ps), plotted over the history and listed as last asked. Neither service reports
 * a utilisation figure, so none is shown for them.
 */
function GpuHosts({ hosts, h }: { hosts: OpsGpuHost[]; h: DashboardHistory }) {
  const used = labelledSeries(h, "gpu_device_memory_used_bytes");
  const vram = labelledSeries(h, "ollama_vram_bytes");
  const bytes = (n: number) => formatBytes(n);
  return (
    <section className="card stack" aria-labelledby="gpu-hosts" style={{ marginTop: 16 }}>
      <h2 id="gpu-hosts">GPU hosts</h2>
      {used.length === 0 && vram.length === 0 ? (
        <p className="muted small" data-testid="no-gpu-hosts">No GPU host reports figures{hosts.length ? " yet" : ""}.</p>
      ) : (
        <div style={{ display: "grid", gap: 12, gridTemplateColumns: "repeat(auto-fit, minmax(300px, 1fr))" }}>
          {used.length > 0 && <Plot id="gpu-hosts-memory" title="GPU memory used (24 h)" unit={bytes} series={used} />}
          {vram.length > 0 && <Plot id="ollama-vram" title="Ollama VRAM in use (24 h)" unit={bytes} series={vram} />}
        </div>
      )}
      {hosts.length > 0 && (
        <table className="table" data-testid="gpu-host-table">
          <thead>
            <tr><th>Service</th><th>Host</th><th>State</th><th>Memory</th></tr>
          </thead>
          <tbody>
            {hosts.map((g) => (
              <tr key={`${g.service} ${g.host}`} data-testid={`gpu-host-${g.service}-${g.host}`}>
                <td>{g.service}</td>
                <td><code>{g.host}</code></td>
                <td title={g.error || undefined}>{g.state === "down" ? `down: ${g.error}` : g.state}</td>
                <td>
                  {g.devices.map((d) => <div key={d.device} title={d.name}>{`${d.device}: ${formatBytes(d.used_bytes)} of ${formatBytes(d.total_bytes)} used`}</div>)}
                  {g.service === "ollama" && g.state === "up" && g.models.length === 0 && <span className="muted">no model loaded</span>}
                  {g.models.map((m) => <div key={m.model}>{`${m.model}: ${formatBytes(m.vram_bytes)} in VRAM of ${formatBytes(m.bytes)}, until ${clock(m.expires_at)}`}</div>)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="small muted" style={{ margin: 0 }} data-testid="gpu-hosts-note">
        ComfyUI (/system_stats) and Ollama (/api/ps) report memory only, no utilisation: what is plotted is memory in use.
      </p>
    </section>
  );
}

/** The operator's view: queue, job round trips, disk and GPU, refreshed every 5 s. */
export function DashboardPage() {
  const summary = useQuery({ queryKey: opsKeys.summary, queryFn: opsApi.summary, refetchInterval: 5000, staleTime: 0 });
  // The plots read the history kept in the database (the last 24 h even after a restart); a
  // server that keeps none (503) falls back to the summary's in-memory samples.
  const stored = useQuery({ queryKey: opsKeys.history("24h"), queryFn: () => opsApi.history("24h"), refetchInterval: 15_000, staleTime: 0, retry: false });
  const s: OpsSummary | undefined = summary.data;
  const h = stored.data ? fromDatabase(stored.data) : fromSummary(s?.history ?? []);
  const minute = h.resolutionSeconds <= 60 ? "minute" : "hour";
  const running = s ? Object.entries(s.jobs).filter(([k]) => !["queued", "completed", "failed", "canceled"].includes(k)).reduce((n, [, v]) => n + v, 0) : 0;
  return (
    <div>
      <div className="page-head"><h1>Dashboard</h1></div>
      <ErrorNote error={summary.error} />
      {s && (
        <>
          <div style={{ display: "grid", gap: 12, gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))", marginBottom: 16 }}>
            <Stat label="Queued" value={count(s.queue.queued)} testid="stat-queued" />
            <Stat label="Running" value={count(running)} testid="stat-running" />
            <Stat label="Completed" value={count(s.jobs.completed ?? 0)} testid="stat-completed" />
            <Stat label="Failed" value={count(s.jobs.failed ?? 0)} testid="stat-failed" />
            <Stat label="Disk free" value={formatBytes(s.disk.free_bytes)} testid="stat-disk-free" />
            <Stat label="Jobs today" value={s.quota.jobs_per_day ? `${s.quota.jobs_today} / ${s.quota.jobs_per_day}` : String(s.quota.jobs_today)} testid="stat-quota" />
          </div>
          <div style={{ display: "grid", gap: 12, gridTemplateColumns: "repeat(auto-fit, minmax(300px, 1fr))" }}>
            <Plot id="queue" title="Queue (24 h)" unit={count} series={[
              { name: "queued", values: h.queue_depth },
              { name: "running", values: h.jobs_running },
            ]} />
            {h.source === "database" && (
              <Plot id="throughput" title={`Jobs completed per ${minute}`} unit={count} series={[
                { name: "completed", values: h.jobs_completed },
              ]} />
            )}
            <Plot id="rtt" title="Job round trip (last 50)" unit={secs} series={[
              { name: "seconds", values: s.job_rtts.map((r) => ({ x: r.finished_at, y: r.seconds })) },
            ]} />
            <Plot id="disk" title="Data folder" unit={(n) => formatBytes(n)} series={[
              { name: "used by Beacon", values: h.data_bytes },
            ]} />
            <Plot id="disk-free" title="Disk free" unit={(n) => formatBytes(n)} series={[
              { name: "free", values: h.disk_free_bytes },
            ]} />
            <Plot id="viewers" title="LiveLoop viewers" unit={count} series={[
              { name: "viewers", values: h.viewers },
            ]} />
            {h.gpu_utilization.length > 0 && (
              <Plot id="gpu" title={`GPU (${s.gpus.map((g) => g.name).join(", ")})`} unit={pct} series={[
                { name: "utilisation", values: h.gpu_utilization },
                { name: "memory", values: gpuMemoryShare(h) },
              ]} />
            )}
          </div>
          {s.gpus.length === 0 && <p className="small muted" data-testid="no-gpu">No GPU reported (nvidia-smi not found).</p>}
          <GpuHosts hosts={s.gpu_hosts ?? []} h={h} />
          {s.pools && s.pools.length > 0 && (
            <section className="card stack" aria-labelledby="pool-hosts" style={{ marginTop: 16 }}>
              <h2 id="pool-hosts">Engine hosts</h2>
              <table className="table" data-testid="pool-hosts">
                <thead>
                  <tr><th>Service</th><th>Host</th><th>State</th><th>Done</th><th>Per minute</th><th>Queue</th><th>Checkpoint switches</th></tr>
                </thead>
                <tbody>
                  {s.pools.map((p) => (
                    <tr key={`${p.service} ${p.host}`}>
                      <td>{p.service}</td>
                      <td><code>{p.host}</code></td>
                      <td>{p.up ? "up" : "down (out of rotation)"}</td>
                      <td>{count(p.done)}</td>
                      <td>{p.per_minute.toFixed(1)}</td>
                      <td>{`${p.queue_depth} (slots ${p.slots})`}</td>
                      <td>{p.checkpoint ? `${p.checkpoint_switches} (now ${p.checkpoint})` : "-"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="small muted" data-testid="pool-waiting">{`${s.pools.find((p) => p.service === "comfyui")?.waiting ?? 0} picture(s) waiting for a host.`}</p>
            </section>
          )}
          <p className="small muted" data-testid="history-source">
            {h.source === "database" ? "History from the database (1-minute buckets for 24 h, hourly for 30 days)." : "History since this server started (not kept in the database)."}
          </p>
          <p className="small muted">Prometheus can scrape <code>/metrics</code> with an API token (see docs/ops.md).</p>
        </>
      )}
    </div>
  );
}
