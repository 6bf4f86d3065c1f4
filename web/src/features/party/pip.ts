import { installGameRelay, postToGame } from "../arcade";

/**
 * Picture-in-Picture for the party: Document Picture-in-Picture (Chromium) holds the video box
 * (moved, never re-created, so playback and hls.js state carry on) and a container the page
 * renders the chat into (a React portal). Where Document PiP is missing (Firefox, Safari) the
 * video's own PiP floats the picture alone, and the caller says so.
 *
 * Arcade hook: a game is opened *inside* the PiP window (an iframe created there: moving a live
 * iframe between documents reloads it, WICG/document-picture-in-picture#131). `flip` swaps
 * which of video and game is in the window; while the video plays with sound the game is asked
 * to duck its audio through the Arcade SDK's audio message (see docs/party.md).
 */
interface DocumentPip {
  requestWindow(o: { width: number; height: number }): Promise<Window>;
}

export function documentPipSupported(): boolean {
  return typeof window !== "undefined" && "documentPictureInPicture" in window;
}

function copyStyles(to: Document) {
  for (const sheet of Array.from(document.styleSheets)) {
    try {
      const css = Array.from(sheet.cssRules).map((r) => r.cssText).join("\n");
      const style = to.createElement("style");
      style.textContent = css;
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

export interface PipSession {
  window: Window;
  /** Where the page renders the chat (a portal) while the window is open. */
  chatRoot: HTMLElement;
  /** The game area (an iframe is created here by openGame). */
  gameRoot: HTMLElement;
  close(): void;
}

/**
 * Opens the Document PiP window with `videoBox` moved into it; `onClosed` runs after the box
 * went back to its place. Must run in a user gesture (transient activation).
 */
export async function openDocumentPip(videoBox: HTMLElement, onClosed: () => void): Promise<PipSession> {
  const dpip = (window as unknown as { documentPictureInPicture: DocumentPip }).documentPictureInPicture;
  const w = await dpip.requestWindow({ width: 520, height: 440 });
  copyStyles(w.document);
  w.document.body.className = "party-pip";
  installGameRelay(w.document);
  const parent = videoBox.parentNode!;
  const next = videoBox.nextSibling;
  const stage = w.document.createElement("div");
  stage.className = "party-pip__stage";
  const gameRoot = w.document.createElement("div");
  gameRoot.className = "party-pip__game";
  gameRoot.hidden = true;
  const chatRoot = w.document.createElement("div");
  chatRoot.className = "party-pip__chat";
  stage.append(videoBox, gameRoot);
  w.document.body.append(stage, chatRoot);
  let closed = false;
  const restore = () => {
    if (closed) return;
    closed = true;
    parent.insertBefore(videoBox, next);
    onClosed();
  };
  w.addEventListener("pagehide", restore);
  return { window: w, chatRoot, gameRoot, close: () => { restore(); w.close(); } };
}

/** Opens an Arcade game (its play_url) inside the PiP window, created there. */
export function openGame(session: PipSession, playUrl: string): HTMLIFrameElement {
  const frame = session.window.document.createElement("iframe");
  frame.src = playUrl;
  frame.title = "Arcade game";
  frame.allow = "autoplay; fullscreen; gamepad";
  frame.style.cssText = "width:100%;height:100%;border:0";
  session.gameRoot.replaceChildren(frame);
  return frame;
}

/** Shows the game (true) or the video (false) in the PiP window; the other stays in the page. */
export function flip(session: PipSession, videoBox: HTMLElement, pagePlace: HTMLElement, gameInPip: boolean): void {
  session.gameRoot.hidden = !gameInPip;
  if (gameInPip) pagePlace.append(videoBox);
  else session.gameRoot.parentNode!.insertBefore(videoBox, session.gameRoot);
}

/**
 * Asks the game to lower (gain < 1) or restore its audio, in the Arcade SDK's own words
 * (`/beacon-game.js` reads {beacon: "host", type: "audio", enabled, level} from its parent, here
 * the PiP window, on the studio's origin), sent to the game's origin only.
 */
export function duck(frame: HTMLIFrameElement | null, gain: number): void {
  const win = frame?.contentWindow;
  if (!frame || !win) return;
  let origin: string;
  try {
    origin = new URL(frame.src, location.href).origin;
  } catch {
    return;
  }
  const level = Math.max(0, Math.min(1, gain));
  // From the PiP window's own code: the SDK takes host messages from its parent only.
  postToGame(frame, { beacon: "host", type: "audio", enabled: level > 0, level }, origin);
}

/** The fallback: the video element's own PiP. False when that is missing too. */
export async function videoPip(video: HTMLVideoElement): Promise<boolean> {
  if (!document.pictureInPictureEnabled || !video.requestPictureInPicture) return false;
  await video.requestPictureInPicture();
  return true;
}
