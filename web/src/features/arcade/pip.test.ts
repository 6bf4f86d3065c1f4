import { afterEach, describe, expect, it, vi } from "vitest";
import { GAME_SANDBOX, gamePipSupported, openGamePip } from "./pip";

const PLAY = "http://g3.localhost:8091/index.html";

/** A stand-in for Chromium's documentPictureInPicture: a window with its own document. */
function fakeDocumentPip() {
  const close = vi.fn();
  const w = Object.assign(new EventTarget(), { document: document.implementation.createHTMLDocument(""), close }) as unknown as Window;
  const requestWindow = vi.fn(async () => w);
  (window as unknown as Record<string, unknown>).documentPictureInPicture = { requestWindow };
  return { w, close, requestWindow };
}

afterEach(() => {
  delete (window as unknown as Record<string, unknown>).documentPictureInPicture;
  document.body.replaceChildren();
});

describe("game Picture-in-Picture", () => {
  it("is reported missing where the browser has no Document PiP", () => {
    expect(gamePipSupported()).toBe(false);
    fakeDocumentPip();
    expect(gamePipSupported()).toBe(true);
  });

  it("creates the game's iframe inside the window, sandboxed as in the page", async () => {
    const { w, requestWindow } = fakeDocumentPip();
    const pip = await openGamePip(PLAY, "Cube <b>Spin</b>", () => undefined, () => undefined);
    expect(requestWindow).toHaveBeenCalledOnce();
    const frames = w.document.querySelectorAll("iframe");
    expect(frames).toHaveLength(1);
    expect(frames[0]).toBe(pip.frame);
    expect(pip.frame.getAttribute("src")).toBe(PLAY);
    expect(pip.frame.getAttribute("sandbox")).toBe(GAME_SANDBOX);
    expect(pip.frame.getAttribute("sandbox")).not.toContain("allow-top-navigation");
    expect(pip.frame.getAttribute("sandbox")).not.toContain("allow-popups");
    // The title is text, never markup.
    expect(w.document.title).toBe("Cube <b>Spin</b>");
    expect(w.document.querySelector("b")).toBeNull();
    // Nothing of the game is in the page itself.
    expect(document.querySelectorAll(`iframe[src="${PLAY}"]`)).toHaveLength(0);
  });

  it("hands the window's messages (the game's SDK talk) to the page until it closes", async () => {
    const { w } = fakeDocumentPip();
    const onMessage = vi.fn();
    const onClosed = vi.fn();
    await openGamePip(PLAY, "Game", onMessage, onClosed);
    w.dispatchEvent(new MessageEvent("message", { data: { beacon: "game", type: "ready" } }));
    expect(onMessage).toHaveBeenCalledOnce();
    expect(onMessage.mock.calls[0][0].data).toEqual({ beacon: "game", type: "ready" });
    // The user closes the window: told once, and no more messages are taken.
    w.dispatchEvent(new Event("pagehide"));
    w.dispatchEvent(new Event("pagehide"));
    expect(onClosed).toHaveBeenCalledOnce();
    w.dispatchEvent(new MessageEvent("message", { data: { beacon: "game", type: "save" } }));
    expect(onMessage).toHaveBeenCalledOnce();
  });

  it("close() shuts the window and tells the page once", async () => {
    const { close } = fakeDocumentPip();
    const onClosed = vi.fn();
    const pip = await openGamePip(PLAY, "Game", () => undefined, onClosed);
    pip.close();
    pip.close();
    expect(close).toHaveBeenCalled();
    expect(onClosed).toHaveBeenCalledOnce();
  });
});
