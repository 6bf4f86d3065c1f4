import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A private `beacon serve`: one per spec file (see fixtures.ts), or for a journey that must stop
 * and restart its server. Temp data dir, a free port on 127.0.0.1, a clean environment (no
 * engine hosts or keys inherited from the caller), the web UI that global-setup.ts found or
 * built (BEACON_E2E_WEB_ROOT), and its log copied into the output folder when it is disposed.
 */
const root = path.resolve(__dirname, "../..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export class BeaconServer {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-own-"));
  private child: ChildProcess | null = null;
  log = "";
  /** More config (TOML) for this server, e.g. "[arcade]\nlisten = ..." (appended to beacon.toml). */
  extraToml = "";
  constructor(readonly port: number, readonly password: string) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(password = "own-server-password-1", extraToml = ""): Promise<BeaconServer> {
    const s = new BeaconServer(await freePort(), password);
    s.extraToml = extraToml;
    await s.up();
    return s;
  }

  async up(): Promise<void> {
    const bin = path.resolve(root, process.env.BEACON_BIN ?? "build/src/app/beacon");
    const data = path.join(this.dir, "data");
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: this.dir,
      TMPDIR: os.tmpdir(),
      LANG: "C.UTF-8",
      BEACON_ADMIN_PASSWORD: this.password,
      BEACON_DATA: data,
      BEACON_LISTEN: `127.0.0.1:${this.port}`,
    };
    const args = ["serve", "--listen", `127.0.0.1:${this.port}`, "--data", data];
    if (process.env.BEACON_E2E_WEB_ROOT || this.extraToml) {
      const config = path.join(this.dir, "beacon.toml");
      const webRoot = process.env.BEACON_E2E_WEB_ROOT
        ? `[server]\nweb_root = ${JSON.stringify(process.env.BEACON_E2E_WEB_ROOT)}\n`
        : "";
      // One [server] table: a web_root goes into the extra config's own [server] when it has one.
      const text = webRoot && this.extraToml.includes("[server]\n")
        ? this.extraToml.replace("[server]\n", webRoot)
        : webRoot + this.extraToml;
      writeFileSync(config, text + "\n");
      args.push("--config", config);
    }
    const child = spawn(bin, args, { cwd: this.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout?.on("data", (b) => (this.log += b));
    child.stderr?.on("data", (b) => (this.log += b));
    let exited: number | null = null;
    child.once("exit", (c) => (exited = c ?? -1));
    const until = Date.now() + 60_000; // hang guard only
    while (Date.now() < until) {
      if (exited !== null) throw new Error(`beacon serve exited with ${exited}:\n${this.log}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`beacon serve did not become healthy:\n${this.log}`);
  }

  /** Stops the server (SIGTERM, SIGKILL after 10 s) and waits until it is gone. */
  async down(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  async dispose(): Promise<void> {
    await this.down();
    if (process.env.BEACON_E2E_OUT) writeFileSync(path.join(process.env.BEACON_E2E_OUT, `beacon-serve-${this.port}.log`), this.log);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
