import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { csrf, finished, loggedIn, serverForThisFile } from "./fixtures";

/**
 * GPU figures of the remote engine hosts (issue 19, item 2): a studio whose pictures come from the
 * ComfyUI stand-in and whose scripts come from the Ollama stand-in (tests/doubles) asks them for
 * /system_stats and /api/ps every second. After a real job, the Dashboard plots GPU memory used
 * per device and Ollama's VRAM in use from the history kept in the database, lists each host, and
 * /metrics carries the gauges; a host that goes away shows as down and nothing fails.
 */
type Double = { child: ChildProcess; url: string };

async function startDouble(script: string, args: string[] = []): Promise<Double> {
  const file = path.resolve(__dirname, "../doubles", script);
  // A clean environment: nothing of the caller's reaches the stand-in.
  const child = spawn("python3", ["-u", file, ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" }, stdio: ["ignore", "pipe", "pipe"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Error(`${script} did not start`)), 20_000);
    child.stdout?.on("data", (b) => {
      out += b;
      const m = /^PORT (\d+)\n/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (c) => reject(new Error(`${script} exited with ${c}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

const stop = (d: Double | null) => new Promise<void>((resolve) => {
  if (!d || d.child.exitCode !== null || d.child.signalCode !== null) return resolve();
  d.child.once("exit", () => resolve());
  d.child.kill("SIGTERM");
});

let comfy: Double | null = null;
let ollama: Double | null = null;
test.beforeAll(async () => {
  comfy = await startDouble("comfyui_double.py", ["--step-delay", "0.02"]);
  ollama = await startDouble("ollama_double.py", ["--vram-share", "0.5"]);
});
test.afterAll(async () => {
  await stop(comfy);
  await stop(ollama);
});

const srv = serverForThisFile(() => [
  "[engines]", 'script = "ollama"', 'pictures = "comfyui"',
  "[ollama]", `host = "${ollama!.url}"`, 'model = "llama3.2"', "timeout_seconds = 60",
  "[comfyui]", `host = "${comfy!.url}"`, 'checkpoint = "v1-5-pruned-emaonly.safetensors"', "steps = 4", "timeout_seconds = 60",
  "[metrics]", 'nvidia_smi = ""', "gpu_poll_seconds = 1",
].join("\n") + "\n");

test("the dashboard plots GPU memory of the ComfyUI and Ollama hosts after a real job", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const comfyHost = comfy!.url.replace("http://", "");
  const ollamaHost = ollama!.url.replace("http://", "");
  const r = await req.post("/api/v1/generate", {
    headers: await csrf(req),
    data: { prompt: "A lighthouse blinks over a calm sea. 1 scene.", duration_target: 3, produce_preview: false, output_preset: "480p" },
  });
  expect(r.status(), await r.text()).toBe(202);
  await finished(req, (await r.json()).job_id);

  // /metrics: the device's memory and the model Ollama loaded for the script.
  await expect.poll(async () => (await req.get("/metrics")).text(), { timeout: 20_000 })
    .toContain(`beacon_ollama_loaded_model_vram_bytes{host="${ollamaHost}",model="llama3.2:latest"}`);
  const metrics = await (await req.get("/metrics")).text();
  expect(metrics).toMatch(new RegExp(`beacon_gpu_memory_free_bytes\\{service="comfyui",host="${comfyHost}",device="cuda:0"\\} \\d+`));
  expect(metrics).toContain(`beacon_gpu_host_up{service="ollama",host="${ollamaHost}"} 1`);

  const page = await ctx.newPage();
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "GPU hosts" })).toBeVisible();
  // The history is sampled every 15 s; the page polls it, so the plots fill in without a reload.
  const memory = page.getByTestId("plot-gpu-hosts-memory");
  await expect(memory.locator("svg")).toHaveAttribute("aria-label", new RegExp(`comfyui ${comfyHost} cuda:0 [1-9][\\d.]* MiB`), { timeout: 60_000 });
  const line = memory.locator("polyline").first();
  expect(Number(await line.getAttribute("data-points"))).toBeGreaterThanOrEqual(1);
  expect((await line.getAttribute("points")) ?? "").toMatch(/^\d+(\.\d+)?,\d+(\.\d+)?( |$)/);
  const vram = page.getByTestId("plot-ollama-vram");
  // Half of the loaded model (3.3 GB) is in VRAM: the minute's mean is above zero (samples from
  // before the job have none).
  await expect(vram.locator("svg")).toHaveAttribute("aria-label", new RegExp(`${ollamaHost} [1-9][\\d.]* MiB`), { timeout: 60_000 });
  await expect(page.getByTestId("no-gpu-hosts")).toHaveCount(0);
  await expect(page.getByTestId(`gpu-host-comfyui-${comfyHost}`)).toContainText(/cuda:0: [1-9][\d.]* MiB of 24576\.0 MiB used/);
  await expect(page.getByTestId(`gpu-host-ollama-${ollamaHost}`)).toContainText("llama3.2:latest: 1592.0 MiB in VRAM of 3184.0 MiB");
  await expect(page.getByTestId("gpu-hosts-note")).toContainText("no utilisation");

  // The Ollama host goes away: it shows as down, the page and the studio carry on.
  await stop(ollama);
  await expect(page.getByTestId(`gpu-host-ollama-${ollamaHost}`)).toContainText("down", { timeout: 20_000 });
  await expect(page.getByTestId(`gpu-host-comfyui-${comfyHost}`)).toContainText("up");
  expect((await req.get("/api/v1/ops/summary")).status()).toBe(200);
  await expect.poll(async () => (await req.get("/metrics")).text(), { timeout: 20_000 })
    .toContain(`beacon_gpu_host_up{service="ollama",host="${ollamaHost}"} 0`);
  await ctx.close();
});
