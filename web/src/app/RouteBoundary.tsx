import { Component, type ErrorInfo, type ReactNode } from "react";

/** Does this error mean a code chunk failed to load (network down, or renamed by an upgrade)? */
export function isChunkError(e: unknown): boolean {
  const m = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /dynamically imported module|Importing a module script failed|Failed to fetch|ChunkLoadError|error loading dynamically/i.test(m);
}

/** The entry script the page runs now, and the one a freshly fetched index.html names. */
export function entryScript(html: string): string | null {
  const m = /<script[^>]+type="module"[^>]+src="([^"]+)"/.exec(html) ?? /<script[^>]+src="([^"]+)"[^>]*type="module"/.exec(html);
  return m ? m[1] : null;
}

const RELOAD_KEY = "beacon.reloaded-for";

/**
 * After a chunk failed to load: if the server now serves a different build (chunk names changed
 * after an upgrade), reload once onto it. Returns "reloading", "offline" (server unreachable)
 * or "same" (same build: the chunk itself failed).
 */
export async function checkNewVersion(fetchImpl: typeof fetch = fetch, doc: Document = document): Promise<"reloading" | "offline" | "same"> {
  let html: string;
  try {
    const r = await fetchImpl("/", { cache: "no-store", credentials: "same-origin" });
    if (!r.ok) return "offline";
    html = await r.text();
  } catch {
    return "offline";
  }
  const fresh = entryScript(html);
  const current = doc.querySelector<HTMLScriptElement>('script[type="module"][src]')?.getAttribute("src") ?? null;
  if (fresh && current && fresh !== current) {
    try {
      if (sessionStorage.getItem(RELOAD_KEY) === fresh) return "same";
      sessionStorage.setItem(RELOAD_KEY, fresh);
    } catch {
      /* reload anyway */
    }
    location.reload();
    return "reloading";
  }
  return "same";
}

type Props = { children: ReactNode; onRetry: () => void };
type State = { error: unknown; status: "idle" | "checking" | "offline" | "same" | "reloading" };

/**
 * A route-level error boundary: a page whose code cannot load or that throws shows what
 * happened and a retry, inside the app shell (navigation stays usable).
 */
export class RouteBoundary extends Component<Props, State> {
  state: State = { error: null, status: "idle" };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error, status: isChunkError(error) ? "checking" : "same" };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.warn("Beacon page error", error, info.componentStack);
    if (isChunkError(error)) void checkNewVersion().then((status) => this.setState({ status }));
  }

  retry = () => {
    this.props.onRetry();
    this.setState({ error: null, status: "idle" });
  };

  render() {
    if (!this.state.error) return this.props.children;
    const chunk = isChunkError(this.state.error);
    const offline = this.state.status === "offline";
    return (
      <div className="empty" role="alert" data-testid="page-error">
        <h1>{offline ? "Can’t reach Beacon" : "This page could not load"}</h1>
        <p>
          {offline
            ? "The Beacon server is not answering. Check that it is running, then try again."
            : chunk
              ? "Part of the studio could not be downloaded."
              : `Something went wrong: ${this.state.error instanceof Error ? this.state.error.message : String(this.state.error)}`}
        </p>
        {this.state.status === "reloading" ? <p>A new version of Beacon is available; reloading…</p> : (
          <button type="button" className="btn btn--primary" onClick={this.retry}>Try again</button>
        )}
      </div>
    );
  }
}
