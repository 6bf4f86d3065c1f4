#!/usr/bin/env node
// Watch-party benchmark (docs/BENCHMARKS.md, "Watch party").
//
//   node bench/party/bench.mjs            (from the repository root; BEACON_BIN=build/src/app/beacon)
//
// 1. Against a real `beacon serve` on loopback (started here in a temporary folder):
//    - clock offset error: clients with a known injected skew (±500 ms) run the web client's
//      ClockSync (8 NTP-style pings); error = |estimated offset − true offset|;
//    - 50 members in one party: command fan-out (host request → every member's `state`), chat
//      delivery, errors, server CPU time and resident memory.
// 2. The web sync engine on the simulated world of its unit tests (sim.ts: skewed clocks,
//    latency with jitter, seeks and play starts that take time): steady-state drift between any
//    two members (p95, 10 simulated minutes), seek → everyone playing within 100 ms, late joiner
//    → in sync. (The media element there is simulated; the e2e journey checks real Chromium.)
// Prints one JSON object.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, "web/package.json"));
const WebSocket = require("ws");
const esbuild = require("esbuild");

const MEMBERS = Number(process.env.PARTY_MEMBERS ?? 50);
const COMMANDS = Number(process.env.PARTY_COMMANDS ?? 30);
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

// The web modules, bundled for Node.
const tmp = mkdtempSync(path.join(os.tmpdir(), "beacon-party-bench-"));
await esbuild.build({
  stdin: { contents: `export * from "./clock"; export * from "./sim";`, resolveDir: path.join(root, "web/src/features/party"), loader: "ts" },
  bundle: true, format: "esm", platform: "node", outfile: path.join(tmp, "party.mjs"), logLevel: "error",
});
const { ClockSync, SimWorld } = await import(pathToFileURL(path.join(tmp, "party.mjs")).href);

// ---- 1. the real server -------------------------------------------------------------------------
async function startServer() {
  const bin = path.resolve(root, process.env.BEACON_BIN ?? "build/src/app/beacon");
  const data = path.join(tmp, "data");
  const env = { PATH: process.env.PATH, HOME: tmp, BEACON_ADMIN_PASSWORD: "bench-password-123" };
  const child = spawn(bin, ["serve", "--data", data, "--listen", "127.0.0.1:0"], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const port = await new Promise((resolve, reject) => {
    const on = (b) => {
      log += b;
      const m = /serving http:\/\/[^:]+:(\d+)\//.exec(log);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on("data", on);
    child.stderr.on("data", on);
    child.on("exit", (c) => reject(new Error(`beacon exited ${c}: ${log}`)));
    setTimeout(() => reject(new Error(`beacon did not start: ${log}`)), 60_000);
  });
  return { child, port, base: `http://127.0.0.1:${port}` };
}

async function login(base) {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password: "bench-password-123" }) });
  if (!r.ok) throw new Error(`login: ${r.status} ${await r.text()}`);
  const cookie = r.headers.get("set-cookie").split(";")[0];
  const csrf = (await r.json()).csrf_token;
  return { cookie, csrf };
}

async function api(base, auth, method, p, body) {
  const r = await fetch(base + p, {
    method, headers: { Cookie: auth.cookie, "X-CSRF-Token": auth.csrf, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function makeItem(base, auth) {
  const g = await api(base, auth, "POST", "/api/v1/generate", { prompt: "A lighthouse at dusk, waves below.", title: "Bench party", duration_target: 6, output_preset: "480p", produce_preview: false });
  for (let i = 0; i < 600; i++) {
    const j = await api(base, auth, "GET", `/api/v1/jobs/${g.job_id}`);
    if (j.status === "completed") return j.content_id;
    if (j.status === "failed" || j.status === "canceled") throw new Error(`item job ${j.status}`);
    await sleep(1000);
  }
  throw new Error("item job did not finish");
}

/** One socket with a message log; `skew` is added to this client's local clock. */
function member(url, headers, skew = 0) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const m = { ws, skew, inbox: [], hello: null, waiters: [], errors: 0 };
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data));
      const at = nowMs();
      if (msg.type === "hello") m.hello = msg;
      if (msg.type === "error") m.errors++;
      m.inbox.push({ msg, at });
      for (const w of [...m.waiters]) if (w.pred(msg)) { m.waiters.splice(m.waiters.indexOf(w), 1); w.resolve({ msg, at }); }
    });
    ws.on("open", () => resolve(m));
    ws.on("error", reject);
  });
}
const next = (m, pred, timeout = 10_000, what = "a message") => new Promise((resolve, reject) => {
  const w = { pred, resolve };
  m.waiters.push(w);
  setTimeout(() => {
    if (!m.waiters.includes(w)) return;
    const last = m.inbox.slice(-3).map((x) => JSON.stringify(x.msg).slice(0, 200));
    reject(new Error(`timeout waiting for ${what}; last messages: ${last.join(" | ")}`));
  }, timeout);
});
const send = (m, obj) => m.ws.send(JSON.stringify(obj));

function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
  return { cpuS: ticks / 100, rssMiB: rss / 1024 };
}

async function serverBench() {
  const srv = await startServer();
  try {
    const auth = await login(srv.base);
    const contentId = await makeItem(srv.base, auth);
    const party = await api(srv.base, auth, "POST", "/api/v1/parties", { content_id: contentId });
    const wsBase = `ws://127.0.0.1:${srv.port}/api/v1/parties/${party.id}/ws`;

    // The owner joins first (and hosts).
    const host = await member(`${wsBase}?name=Host`, { Cookie: auth.cookie, Origin: srv.base });
    if (!host.hello) await next(host, (x) => x.type === "hello");

    // Clock offset error with injected skews.
    const skews = [-500, -250, -100, 0, 100, 250, 500, 37];
    const clockErrors = [];
    for (const skew of skews) {
      const m = await member(`${wsBase}?invite=${party.invite_token}&name=clock${skew}`, {}, skew);
      if (!m.hello) await next(m, (x) => x.type === "hello");
      const clock = new ClockSync();
      for (let i = 0; i < 8; i++) {
        const t0 = nowMs() + skew;
        send(m, { type: "time", id: i, t0 });
        const { msg, at } = await next(m, (x) => x.type === "time" && x.id === i);
        clock.add(t0, msg.t1, msg.t2, at + skew);
        await sleep(100);
      }
      clockErrors.push(Math.abs(clock.offset - -skew));
      m.ws.close();
    }
    await sleep(300);

    // 50 members: fan-out of commands and chat.
    const before = procStats(srv.child.pid);
    const t0 = nowMs();
    const guests = [];
    await sleep(500);
    for (let i = 1; i < MEMBERS; i++) guests.push(await member(`${wsBase}?invite=${party.invite_token}&name=g${i}`, {}));
    await Promise.all(guests.map((g) => (g.hello ? null : next(g, (x) => x.type === "hello"))));
    const all = [host, ...guests];
    const fanout = [];
    const actions = ["play", "pause", "seek"];
    for (let c = 0; c < COMMANDS; c++) {
      const action = actions[c % 3];
      const waits = all.map((m) => next(m, (x) => x.type === "state" && x.by === String(host.hello.you.id) && x.reason !== "ready", 10_000, `state after ${action}`));
      const sent = nowMs();
      send(host, action === "seek" ? { type: "request", action, position: (c % 5) + 0.5 } : { type: "request", action });
      for (const r of await Promise.all(waits)) fanout.push(r.at - sent);
      // Everyone answers "ready" as a real client does.
      for (const m of all) send(m, { type: "ready", seq: m.inbox[m.inbox.length - 1].msg.seq });
      await sleep(300);
    }
    const chat = [];
    for (let c = 0; c < 20; c++) {
      const from = guests[c % guests.length];
      const text = `hello ${c}`;
      const waits = all.map((m) => next(m, (x) => x.type === "chat" && x.text === text));
      const sent = nowMs();
      send(from, { type: "chat", text });
      for (const r of await Promise.all(waits)) chat.push(r.at - sent);
      await sleep(150);
    }
    const after = procStats(srv.child.pid);
    const wall = (nowMs() - t0) / 1000;
    const errors = all.reduce((n, m) => n + m.errors, 0);
    for (const m of all) m.ws.close();
    return {
      clock_offset_error_ms: { max: round(Math.max(...clockErrors), 2), p50: round(pct(clockErrors, 50), 2), samples: clockErrors.length, skews_ms: skews },
      members: all.length,
      command_fanout_ms: { p50: round(pct(fanout, 50)), p95: round(pct(fanout, 95)), max: round(Math.max(...fanout)), deliveries: fanout.length },
      chat_delivery_ms: { p50: round(pct(chat, 50)), p95: round(pct(chat, 95)), deliveries: chat.length },
      errors,
      server_cpu_s: round(after.cpuS - before.cpuS, 2),
      server_wall_s: round(wall, 1),
      server_rss_mib: round(after.rssMiB),
    };
  } finally {
    srv.child.kill("SIGTERM");
  }
}

// ---- 2. the sync engine on simulated clocks and media -------------------------------------------
function simBench() {
  const w = new SimWorld(42);
  const members = [
    w.add({ skewMs: 500, latencyMs: 2, jitterMs: 3, playLatencyMs: 10, seekLatencyMs: 150 }),
    w.add({ skewMs: -500, latencyMs: 10, jitterMs: 15, playLatencyMs: 60, seekLatencyMs: 300 }),
    w.add({ skewMs: 123, latencyMs: 40, jitterMs: 40, playLatencyMs: 150, seekLatencyMs: 700 }),
  ];
  for (let i = 0; i < 8; i++) { for (const m of members) m.ping(); w.run(200); }
  const play = w.state({ position: 0 });
  w.broadcast(play);
  w.run(10_000);
  const pair = [];
  w.run(10 * 60_000, () => {
    const e = members.map((m) => m.error(play));
    for (let i = 0; i < e.length; i++) for (let j = i + 1; j < e.length; j++) pair.push(Math.abs(e[i] - e[j]));
  }, 10);
  // Seek: waiting at 120 s → everyone ready → play; time until all within 100 ms and playing.
  const waiting = w.state({ state: "waiting", playing: false, position: 120, at: w.now, reason: "seek" });
  w.broadcast(waiting);
  const seekAt = w.now;
  let readyAt = 0;
  for (let t = 0; t < 10_000 && !readyAt; t += 10) {
    w.run(10);
    if (members.every((m) => m.sent.some((s) => s.msg.type === "ready" && s.msg.seq === waiting.seq))) readyAt = w.now;
  }
  // The server schedules the resume as the last ready arrives: now + max(2 × RTT, 500 ms).
  const resume = w.state({ position: 120, reason: "ready" });
  w.broadcast(resume);
  let together = 0;
  w.run(10_000, () => {
    if (!together && members.every((m) => !m.media.paused && Math.abs(m.error(resume)) < 0.1)) together = w.now;
  });
  // Late joiner into a party 60 s in.
  const late = new SimWorld(7);
  const j = late.add({ skewMs: -300, latencyMs: 20, jitterMs: 20, seekLatencyMs: 400, playLatencyMs: 80 });
  for (let i = 0; i < 8; i++) { j.ping(); late.run(200); }
  const ongoing = late.state({ position: 0, at: late.now - 60_000 });
  j.deliver(ongoing);
  const joinAt = late.now;
  let inSync = 0;
  late.run(60_000, () => {
    if (!inSync && !j.media.seeking && !j.media.paused && Math.abs(j.error(ongoing)) < 0.1) inSync = late.now;
  });
  return {
    steady_drift_pair_ms: { p50: round(pct(pair, 50) * 1000), p95: round(pct(pair, 95) * 1000), max: round(pair.reduce((a, b) => Math.max(a, b), 0) * 1000), simulated_minutes: 10 },
    seek_to_all_playing_ms: { from_command: round(together - seekAt), all_ready_after_ms: round(readyAt - seekAt), after_scheduled_start_ms: round(together - resume.at) },
    late_joiner_in_sync_ms: round(inSync - joinAt),
    corrective_seeks: members.map((m) => m.engine.stats.correctiveSeeks),
  };
}

try {
  const out = { sim: simBench() };
  if (process.env.PARTY_SIM_ONLY !== "1") out.server = await serverBench();
  out.machine = { cpus: os.cpus().length, node: process.version };
  console.log(JSON.stringify(out, null, 2));
  writeFileSync(path.join(tmp, "result.json"), JSON.stringify(out));
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
  process.exit(process.exitCode ?? 0);
}
