import { afterEach, describe, expect, it, vi } from "vitest";
import { openWorldPip, worldPipMode } from "./pip";

describe("world viewer PiP", () => {
  afterEach(() => {
    delete (window as unknown as Record<string, unknown>).documentPictureInPicture;
    vi.restoreAllMocks();
  });

  it("moves the live stage into a Document PiP window and back when it closes", async () => {
    const pipDoc = document.implementation.createHTMLDocument("pip");
    const listeners: Record<string, () => void> = {};
    const pipWindow = {
      document: pipDoc,
      addEventListener: (type: string, fn: () => void) => { listeners[type] = fn; },
      close: vi.fn(),
    };
    (window as unknown as Record<string, unknown>).documentPictureInPicture = { requestWindow: vi.fn(async () => pipWindow) };
    expect(worldPipMode()).toBe("document");
    const host = document.createElement("div");
    const stage = document.createElement("div");
    const canvas = document.createElement("canvas");
    stage.append(canvas);
    const after = document.createElement("p");
    host.append(stage, after);
    document.body.append(host);
    const closed = vi.fn();
    const pip = await openWorldPip(stage, canvas, "World", closed);
    expect(pip?.mode).toBe("document");
    expect(stage.parentNode).toBe(pipDoc.body);
    expect(stage.contains(canvas)).toBe(true); // the same canvas: its WebGL context carries on
    listeners.pagehide(); // the user closed the window
    expect(stage.parentNode).toBe(host);
    expect(stage.nextSibling).toBe(after);
    expect(closed).toHaveBeenCalledTimes(1);
    pip!.close(); // closing again changes nothing
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it("says none when neither Document PiP nor video PiP is there", async () => {
    Object.defineProperty(document, "pictureInPictureEnabled", { value: false, configurable: true });
    expect(worldPipMode()).toBe("none");
    const stage = document.createElement("div");
    const canvas = document.createElement("canvas");
    stage.append(canvas);
    expect(await openWorldPip(stage, canvas, "World", () => undefined)).toBeNull();
  });
});
