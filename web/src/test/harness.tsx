import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { api } from "../api/client";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** One request the page sent to the fake API. */
export interface Sent {
  method: string;
  path: string;
  body: unknown;
}
type Handler = (req: Sent & { query: URLSearchParams }) => { status?: number; body?: unknown } | unknown;

/**
 * An in-memory stand-in for /api/v1 behind the real ApiClient (its fetch is replaced): each
 * route answers with the handler's value (or {status, body}); unknown routes answer 404 like
 * the server. Every request is recorded in `sent`.
 */
export class FakeApi {
  sent: Sent[] = [];
  private routes: { method: string; re: RegExp; h: Handler }[] = [];
  private saved: typeof fetch | undefined;

  on(method: string, path: string | RegExp, h: Handler): this {
    const re = typeof path === "string" ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : path;
    this.routes.unshift({ method, re, h });
    return this;
  }

  install(): this {
    this.saved = globalThis.fetch;
    const fake = async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input), "http://beacon.test");
      const method = (init?.method ?? "GET").toUpperCase();
      const path = url.pathname.replace(/^\/api\/v1/, "");
      const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
      const req = { method, path, body, query: url.searchParams };
      this.sent.push({ method, path, body });
      const r = this.routes.find((x) => x.method === method && x.re.test(path));
      if (!r) return json(404, { error: { code: "not_found", message: `no route ${method} ${path}` } });
      const out = r.h(req) as { status?: number; body?: unknown } | undefined;
      if (out && typeof out === "object" && "status" in out && typeof out.status === "number") return json(out.status, out.body);
      return json(200, out);
    };
    globalThis.fetch = fake as typeof fetch;
    return this;
  }

  uninstall() {
    if (this.saved) globalThis.fetch = this.saved;
  }

  /** Requests other than GET (what the page changed). */
  writes(): Sent[] {
    return this.sent.filter((s) => s.method !== "GET");
  }
}

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? "" : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

let lastPath = "";
function PathSpy() {
  lastPath = useLocation().pathname + useLocation().search;
  return null;
}
/** The router's current path (with query) in the rendered page. */
export const currentPath = () => lastPath;

export interface Rendered {
  container: HTMLElement;
  root: Root;
  qc: QueryClient;
  unmount: () => Promise<void>;
}

/** Renders a page at a route, with a fresh query cache and the real API client. */
export async function renderRoute(element: ReactNode, { path, at }: { path: string; at: string }): Promise<Rendered> {
  api.setCsrfToken("test-csrf");
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => {
    root.render(
      <QueryClientProvider client={qc}>
        <MemoryRouter initialEntries={[at]}>
          <PathSpy />
          <Routes>
            <Route path={path} element={element} />
            <Route path="*" element={<p>elsewhere</p>} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
  });
  return {
    container,
    root,
    qc,
    unmount: async () => {
      await act(async () => root.unmount());
      container.remove();
      qc.clear();
    },
  };
}

/** Waits (flushing React) until `check` stops throwing; rethrows its last error after `ms`. */
export async function waitFor<T>(check: () => T, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > until) throw e;
    }
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
  }
}

/** The element whose text (trimmed) matches, among those matching a selector. */
export function byText<T extends Element = HTMLElement>(root: ParentNode, selector: string, text: string | RegExp): T {
  const all = [...root.querySelectorAll<T>(selector)];
  const hit = all.find((e) => (typeof text === "string" ? e.textContent?.trim() === text : text.test(e.textContent ?? "")));
  if (!hit) throw new Error(`no ${selector} with text ${String(text)}; saw: ${all.map((e) => JSON.stringify(e.textContent?.trim())).join(", ")}`);
  return hit;
}

/** The form control labelled `label` (a <label> wrapping it, aria-label, or a label[for]). */
export function byLabel<T extends HTMLElement = HTMLInputElement>(root: ParentNode, label: string): T {
  for (const l of root.querySelectorAll("label")) {
    const span = l.querySelector("span");
    const text = (span?.textContent ?? l.textContent ?? "").trim();
    if (text !== label) continue;
    const ctl = l.querySelector<T>("input, select, textarea") ?? (l.htmlFor ? (root as Document | Element).querySelector<T>(`[id="${l.htmlFor}"]`) : null);
    if (ctl) return ctl;
  }
  const aria = root.querySelector<T>(`[aria-label="${label}"]`);
  if (aria) return aria;
  throw new Error(`no control labelled ${label}`);
}

export async function click(el: Element) {
  await act(async () => {
    (el as HTMLElement).click();
  });
}

/** Types into an input/textarea/select the way React notices (native value setter + event). */
export async function type(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string) {
  await act(async () => {
    const proto = Object.getPrototypeOf(el);
    const setter = Object.getOwnPropertyDescriptor(proto, "value")?.set;
    if (setter) setter.call(el, value);
    else el.value = value;
    el.dispatchEvent(new Event(el.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
    if (el.tagName === "SELECT") el.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

export async function key(el: Element, k: string) {
  await act(async () => {
    el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
  });
}

/** The first element matching a selector; throws (so waitFor keeps waiting) while there is none. */
export function $<T extends Element = HTMLElement>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el;
}
