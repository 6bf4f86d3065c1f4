/**
 * The server-side render page for worlds in videos (issue 17 item 5). `beacon serve`'s world
 * picture engine writes a small HTML file holding a JSON job (the world document, its assets as
 * data URLs, the frame size and one camera per frame), loads it in headless Chromium with this
 * bundle, and reads the frames back from the dumped DOM. The scene is built by the editor's own
 * `WorldView`, so a video frame shows what the editor shows. The document is data: nothing in it
 * is evaluated.
 */
import type { Vec3, WorldDoc } from "./doc";
import { WorldView } from "./scene";

interface RenderCamera {
  position: Vec3;
  target: Vec3;
  fov: number;
}
interface RenderJob {
  document: WorldDoc;
  assets: Record<string, string>;
  width: number;
  height: number;
  cameras: RenderCamera[];
}

function output(lines: string[]): void {
  const pre = document.createElement("pre");
  pre.id = "verse-out";
  pre.textContent = lines.join("\n");
  document.body.appendChild(pre);
}

async function main(): Promise<void> {
  const holder = document.getElementById("verse-job");
  if (!holder?.textContent) throw new Error("the render page has no job");
  const job = JSON.parse(holder.textContent) as RenderJob;
  const canvas = document.createElement("canvas");
  canvas.style.width = `${job.width}px`;
  canvas.style.height = `${job.height}px`;
  document.body.appendChild(canvas);
  const view = new WorldView(canvas, job.document, (hash) => job.assets[hash] ?? "");
  const gl = view.renderer.getContext();
  if (!gl) throw new Error("WebGL is not available in this Chromium");
  await view.ready();
  const lines: string[] = [];
  for (const c of job.cameras) {
    view.aim(c.position, c.target, c.fov);
    lines.push(`VERSE-FRAME ${view.still(job.width, job.height)}`);
  }
  view.dispose();
  lines.push("VERSE-DONE");
  output(lines);
}

main().catch((e: unknown) => output([`VERSE-ERROR ${e instanceof Error ? e.message : String(e)}`]));
