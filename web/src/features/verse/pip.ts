/**
 * Picture-in-Picture for the world viewer (issue 17 item 4), like the watch party's
 * (features/party/pip.ts): Document Picture-in-Picture (Chromium) gets the live stage, the canvas
 * moved (not re-created, so the WebGL context, the orbit controls and the camera carry on) into
 * a small always-on-top window that can still be orbited; closing it puts the stage back. Where
 * Document PiP is missing, the canvas is streamed (captureStream) into a video shown in the
 * browser's video PiP (a picture that follows the page's camera, not interactive). Where that is
 * missing too, the caller says so.
 */
import { documentPipSupported } from "../party";

export type PipMode = "document" | "video" | "none";

interface DocumentPip {
  requestWindow(o: { width: number; height: number }): Promise<Window>;
}

export function worldPipMode(): PipMode {
  if (documentPipSupported()) return "document";
  const canvasStream = typeof HTMLCanvasElement !== "undefined" && "captureStream" in HTMLCanvasElement.prototype;
  if (canvasStream && typeof document !== "undefined" && document.pictureInPictureEnabled) return "video";
  return "none";
}

function copyStyles(to: Document) {
  for (const sheet of Array.from(document.styleSheets)) {
    try {
      const style = to.createElement("style");
      style.textContent = Array.from(sheet.cssRules).map((r) => r.cssText).join("\n");
      to.head.append(style);
    } catch {
      if (sheet.href) {
        const link = to.createElement("link");
        link.rel = "stylesheet";
        link.href = sheet.href;
        to.head.append(link);
      }
    }
  }
  to.documentElement.dataset.theme = document.documentElement.dataset.theme ?? "";
}

export interface WorldPip {
  mode: Exclude<PipMode, "none">;
  close(): void;
}

/**
 * Opens the world in PiP: `stage` (holding the canvas) moves into a Document PiP window, else
 * the canvas is streamed into video PiP. `onClosed` runs once the PiP is gone (the stage back in
 * its place). Must run in a user gesture. Returns null when neither kind is available.
 */
export async function openWorldPip(stage: HTMLElement, canvas: HTMLCanvasElement, title: string, onClosed: () => void): Promise<WorldPip | null> {
  const mode = worldPipMode();
  if (mode === "document") {
    const dpip = (window as unknown as { documentPictureInPicture: DocumentPip }).documentPictureInPicture;
    const w = await dpip.requestWindow({ width: 480, height: 300 });
    copyStyles(w.document);
    w.document.title = title;
    w.document.body.className = "verse-pip";
    const parent = stage.parentNode!;
    const next = stage.nextSibling;
    w.document.body.append(stage);
    let closed = false;
    const restore = () => {
      if (closed) return;
      closed = true;
      parent.insertBefore(stage, next);
      onClosed();
    };
    w.addEventListener("pagehide", restore);
    return { mode, close: () => { restore(); w.close(); } };
  }
  if (mode === "video") {
    const stream = (canvas as HTMLCanvasElement & { captureStream(fps?: number): MediaStream }).captureStream(30);
    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    video.style.cssText = "position:fixed;width:1px;height:1px;opacity:0;pointer-events:none";
    document.body.append(video);
    let closed = false;
    const end = () => {
      if (closed) return;
      closed = true;
      stream.getTracks().forEach((t) => t.stop());
      video.remove();
      onClosed();
    };
    video.addEventListener("leavepictureinpicture", end);
    try {
      // A browser may leave either promise pending (headless Chromium does): give up after 5 s.
      await Promise.race([
        video.play().then(() => video.requestPictureInPicture()),
        new Promise((_, reject) => setTimeout(() => reject(new Error("picture-in-picture did not start")), 5000)),
      ]);
    } catch (e) {
      end();
      throw e;
    }
    return { mode, close: () => { if (document.pictureInPictureElement === video) void document.exitPictureInPicture(); end(); } };
  }
  return null;
}
