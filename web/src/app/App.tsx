import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore, type ComponentType, type RefObject } from "react";
import { BrowserRouter, Navigate, NavLink, Route, Routes, useLocation, useNavigate } from "react-router";
import { api, ApiError } from "../api/client";
import { EventStream, type ConnState } from "../api/events";
import { qk } from "../api/keys";
import { BrandMark, IconCreate, IconJobs, IconLibrary, IconLive, IconLogout, IconPlay, IconMoon, IconSettings, IconSun } from "../components/icons";
import { LoginPage } from "../features/auth/LoginPage";
import { CreatePage } from "../features/create/CreatePage";
import { JobsPage } from "../features/jobs/JobsPage";
import { LibraryPage } from "../features/library/LibraryPage";
import { ItemPage } from "../features/library/ItemPage";
import { ArcadePage } from "../features/arcade/ArcadePage";
import { DashboardPage } from "../features/ops/DashboardPage";
import { ConfirmHost } from "../features/moderation/ConfirmHost";
import { ReviewPage } from "../features/moderation/ReviewPage";
import { PlayPage } from "../features/arcade/PlayPage";
import { RouteBoundary } from "./RouteBoundary";
import { setTheme, useTheme } from "./theme";
import { routeTitle } from "./title";

// Heavier screens load on demand; hls.js is only ever imported by the players inside them.
// A failed load is not cached for good: "Try again" builds fresh lazy components.
const loaders = {
  verse: () => import("../features/verse/VersePage"),
  verseEditor: () => import("../features/verse/EditorPage"),
  watch: () => import("../features/player/WatchPage"),
  live: () => import("../features/liveloop/LiveLoopPage"),
  settings: () => import("../features/settings/SettingsPage"),
};
type Lazies = { [K in keyof typeof loaders]: ComponentType };
const makeLazies = (): Lazies => ({ verse: lazy(loaders.verse), verseEditor: lazy(loaders.verseEditor), watch: lazy(loaders.watch), live: lazy(loaders.live), settings: lazy(loaders.settings) });
let lazies = makeLazies();

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
      },
    },
  });
}

/**
 * Who is signed in, or null. When the server's status says no session exists, /auth/me is not
 * asked at all (no 401 in the console on every logged-out load).
 */
export async function whoAmI() {
  const s = await api.authStatus().catch(() => null);
  if (s && (s as { authenticated?: boolean }).authenticated === false) return null;
  return api.me();
}

const VerseViewer = lazy(() => import("../features/verse/ViewerPage"));
const PartyPage = lazy(() => import("../features/party/PartyPage"));
const BatchesPage = lazy(() => import("../features/batch/BatchPage").then((m) => ({ default: m.BatchesPage })));
const BatchDetailPage = lazy(() => import("../features/batch/BatchPage").then((m) => ({ default: m.BatchDetailPage })));

const queryClient = makeQueryClient();
// Ask who we are while React is still starting: saves one round trip before the first screen.
void queryClient.prefetchQuery({ queryKey: qk.me, queryFn: whoAmI, staleTime: Infinity, retry: false });

export function App({ client = queryClient }: { client?: QueryClient }) {
  return (
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <Routes>
          {/* A shared world opens without login (its link's token is the credential). */}
          <Route path="/verse/view/:token" element={<Suspense fallback={<p className="muted">Loading…</p>}><VerseViewer /></Suspense>} />
          {/* A watch party opens with its invite link (or the session) and no shell. */}
          <Route path="/party/:id" element={<Suspense fallback={<p className="muted">Loading…</p>}><PartyPage /></Suspense>} />
          <Route path="*" element={<AuthGate />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function AuthGate() {
  const qc = useQueryClient();
  const me = useQuery({ queryKey: qk.me, queryFn: whoAmI, retry: false, staleTime: Infinity });
  useEffect(() => {
    api.onUnauthorized = () => qc.setQueryData(qk.me, null);
  }, [qc]);
  if (me.isPending) return <div className="login" aria-busy="true"><BrandMark size={56} /></div>;
  const authed = !!me.data && !(me.error instanceof ApiError && me.error.status === 401);
  if (!authed) return <LoginPage />;
  return <Shell />;
}

/**
 * After in-app navigation, focus moves to the new page's heading (screen readers announce it,
 * keyboard users start from the top of the page). The first load keeps the browser's focus.
 */
function useRouteFocus(main: RefObject<HTMLElement | null>) {
  const { pathname } = useLocation();
  const first = useRef(true);
  // Layout effect: runs before the pages' own effects, which may set a more specific title.
  useLayoutEffect(() => {
    document.title = `${routeTitle(pathname)} · Beacon`;
  }, [pathname]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const root = main.current;
    if (!root) return;
    const focusHeading = () => {
      const h = root.querySelector<HTMLElement>("h1");
      if (!h) return false;
      if (!h.hasAttribute("tabindex")) h.setAttribute("tabindex", "-1");
      h.focus({ preventScroll: false });
      return true;
    };
    if (focusHeading()) return;
    // Lazy pages render their heading a moment later.
    const mo = new MutationObserver(() => focusHeading() && mo.disconnect());
    mo.observe(root, { childList: true, subtree: true });
    const t = setTimeout(() => mo.disconnect(), 5000);
    return () => {
      mo.disconnect();
      clearTimeout(t);
    };
  }, [pathname, main]);
}

/**
 * Whether the Beacon server answers. While the events socket is down, /healthz is probed every
 * few seconds; the banner shows once a probe fails, and goes when one succeeds.
 */
function useServerReachable(conn: ConnState): boolean {
  const [reachable, setReachable] = useState(true);
  const qc = useQueryClient();
  useEffect(() => {
    if (conn === "open") {
      setReachable(true);
      return;
    }
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const probe = async () => {
      let ok = false;
      try {
        ok = await api.healthy();
      } catch {
        ok = false;
      }
      if (stop) return;
      setReachable((was) => {
        if (!was && ok) void qc.invalidateQueries();
        return ok;
      });
      timer = setTimeout(probe, 3000);
    };
    timer = setTimeout(probe, 1500);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [conn, qc]);
  return reachable;
}

function Shell() {
  const qc = useQueryClient();
  const stream = useMemo(() => new EventStream(qc), [qc]);
  useEffect(() => {
    stream.start();
    return () => stream.stop();
  }, [stream]);
  const conn = useSyncExternalStore(stream.subscribe, stream.getState);
  const reachable = useServerReachable(conn);
  const theme = useTheme();
  const navigate = useNavigate();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  useRouteFocus(main);
  const [gen, retry] = useReducer((n: number) => n + 1, 0);
  const logout = async () => {
    try {
      await api.logout();
    } finally {
      stream.stop();
      // Signed out: the gate shows the login form; every other cached answer is dropped.
      qc.setQueryData(qk.me, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== qk.me[0] });
      navigate("/");
    }
  };
  const links = [
    { to: "/create", label: "Create", icon: <IconCreate /> },
    { to: "/jobs", label: "Jobs", icon: <IconJobs /> },
    { to: "/library", label: "Library", icon: <IconLibrary /> },
    { to: "/live", label: "LiveLoop", icon: <IconLive /> },
    { to: "/arcade", label: "Arcade", icon: <IconPlay /> },
    { to: "/verse", label: "Verse", icon: <IconLibrary /> },
    { to: "/dashboard", label: "Dashboard", icon: <IconJobs /> },
    { to: "/review", label: "Review", icon: <IconLibrary /> },
    { to: "/settings", label: "Settings", icon: <IconSettings /> },
  ];
  const { watch: WatchPage, live: LiveLoopPage, settings: SettingsPage } = lazies;
  return (
    <div className="shell">
      <a className="skip-link btn btn--primary" href="#main">Skip to content</a>
      <header className="topbar">
        <NavLink to="/create" className="brand" aria-label="Beacon home"><BrandMark size={30} /><span>Beacon</span></NavLink>
        <nav className="nav" aria-label="Main">
          {links.map((l) => (
            <NavLink key={l.to} to={l.to}>{l.icon}<span>{l.label}</span></NavLink>
          ))}
        </nav>
        <div className="topbar__end">
          <span className="conn-dot" data-state={conn} data-testid="events-state" title={`Live updates: ${conn}`} aria-label={`Live updates ${conn}`} role="img" />
          <button type="button" className="btn btn--ghost btn--icon" data-testid="theme-toggle"
            aria-label={theme === "dark" ? "Switch to light theme" : "Switch to dark theme"}
            onClick={() => setTheme(theme === "dark" ? "light" : "dark")}>
            {theme === "dark" ? <IconSun /> : <IconMoon />}
          </button>
          <button type="button" className="btn btn--ghost" onClick={logout} aria-label="Log out"><IconLogout /><span>Log out</span></button>
        </div>
      </header>
      {!reachable && (
        <div className="offline-banner" role="alert" data-testid="offline-banner">
          Can’t reach Beacon. Your work is safe; the studio reconnects by itself when the server is back.
        </div>
      )}
      <ConfirmHost />
      <main id="main" className="main" tabIndex={-1} ref={main}>
        <RouteBoundary key={`${location.pathname}#${gen}`} onRetry={() => { lazies = makeLazies(); retry(); }}>
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <Routes>
              <Route path="/" element={<Navigate to="/create" replace />} />
              <Route path="/create" element={<CreatePage />} />
              <Route path="/jobs" element={<JobsPage />} />
              <Route path="/batches" element={<BatchesPage />} />
              <Route path="/batches/:id" element={<BatchDetailPage />} />
              <Route path="/library" element={<LibraryPage />} />
              <Route path="/library/:id" element={<ItemPage />} />
              <Route path="/watch/:id" element={<WatchPage />} />
              <Route path="/live" element={<LiveLoopPage />} />
              <Route path="/arcade" element={<ArcadePage />} />
              <Route path="/arcade/:id" element={<PlayPage />} />
              <Route path="/dashboard" element={<DashboardPage />} />
              <Route path="/review" element={<ReviewPage />} />
              <Route path="/settings" element={<SettingsPage />} />
              <Route path="/verse" element={<lazies.verse />} />
              <Route path="/verse/:id" element={<lazies.verseEditor />} />
              <Route path="*" element={<div className="empty"><h1>Page not found</h1><p>There is no page at this address.</p><NavLink className="btn btn--primary" to="/create">Go to Create</NavLink></div>} />
            </Routes>
          </Suspense>
        </RouteBoundary>
      </main>
    </div>
  );
}
