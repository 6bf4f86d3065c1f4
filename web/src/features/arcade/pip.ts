/**
 * "Play in Picture-in-Picture": the game alone in a Document Picture-in-Picture window (Chromium
 * 116+), floating over other tabs and apps. The game's iframe is *created* in the window (moving
 * a live iframe between documents reloads it, WICG/document-picture-in-picture#131), with the
 * same sandbox and permissions as in the page. The window's document is on the studio's origin,
 * so the game's CSP (frame-ancestors = the studio) lets it load, and the game's SDK messages go
 * to that window (its parent): the caller listens there too, and answers through `post`, which
 * runs in the window (a message's source is the window whose code posts it, and the SDK takes
 * host messages from its parent only).
 *
 * Where Document PiP is missing (Firefox, Safari), `gamePipSupported()` is false and the page
 * says so; a game is a live page, not a video, so the video-only PiP cannot hold it.
 */
interface DocumentPip {
  requestWindow(o: { width: number; height: number }): Promise<Window>;
}

export function gamePipSupported(): boolean {
  return typeof window !== "undefined" && "documentPictureInPicture" in window;
}

export interface GamePip {
  window: Window;
  frame: HTMLIFrameElement;
  /**
   * Posts a message to the game from the window's own code, so that its source is the game's
   * parent (the SDK ignores host messages from any other window).
   */
  post(msg: Record<string, unknown>, origin: string): void;
  close(): void;
}

/** Defined in a PiP window (runs in its realm): posts to a game frame of that window. */
const RELAY = `window.beaconRelay = function (frame, msg, origin) {
  if (frame && frame.contentWindow) frame.contentWindow.postMessage(msg, origin);
};`;

/**
 * Installs the relay in a Picture-in-Picture window's document (the party's PiP uses it too):
 * messages to a game in that window must come from the window itself to be taken by the SDK.
 */
export function installGameRelay(doc: Document): void {
  const script = doc.createElement("script");
  script.textContent = RELAY;
  doc.head.append(script);
}

/** Posts `msg` to a game frame from its own window's code (see installGameRelay). */
export function postToGame(frame: HTMLIFrameElement, msg: unknown, origin: string): void {
  const view = frame.ownerDocument?.defaultView as (Window & { beaconRelay?: (f: HTMLIFrameElement, m: unknown, o: string) => void }) | null;
  if (view?.beaconRelay) view.beaconRelay(frame, msg, origin);
  else frame.contentWindow?.postMessage(msg, origin);  // no relay there: from this page
}

export const GAME_SANDBOX = "allow-scripts allow-same-origin allow-pointer-lock";
export const GAME_ALLOW = "fullscreen; gamepad; autoplay";

/**
 * Opens the window with the game in it. `onMessage` receives the window's message events (the
 * game's SDK talk); `onClosed` runs once when the window goes (closed by the user or by
 * `close()`). Must run in a user gesture (transient activation).
 */
export async function openGamePip(
  playUrl: string,
  title: string,
  onMessage: (e: MessageEvent) => void,
  onClosed: () => void,
): Promise<GamePip> {
  const dpip = (window as unknown as { documentPictureInPicture: DocumentPip }).documentPictureInPicture;
  const w = await dpip.requestWindow({ width: 640, height: 360 });
  const doc = w.document;
  doc.title = title;
  doc.body.style.cssText = "margin:0;background:#000;overflow:hidden";
  installGameRelay(doc);
  const frame = doc.createElement("iframe");
  frame.title = title;
  frame.setAttribute("sandbox", GAME_SANDBOX);
  frame.allow = GAME_ALLOW;
  frame.referrerPolicy = "no-referrer";
  frame.style.cssText = "width:100vw;height:100vh;border:0;display:block";
  frame.src = playUrl;
  doc.body.append(frame);
  w.addEventListener("message", onMessage);
  let closed = false;
  const done = () => {
    if (closed) return;
    closed = true;
    w.removeEventListener("message", onMessage);
    onClosed();
  };
  w.addEventListener("pagehide", done);
  return {
    window: w,
    frame,
    post: (msg, origin) => postToGame(frame, msg, origin),
    close: () => {
      done();
      w.close();
    },
  };
}
