import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useSyncExternalStore } from "react";
import { BrowserRouter, Navigate, NavLink, Route, Routes, useNavigate } from "react-router";
import { api, ApiError } from "../api/client";
import { EventStream } from "../api/events";
import { qk } from "../api/keys";
import { BrandMark, IconCreate, IconJobs, IconLibrary, IconLive, IconLogout, IconMoon, IconSettings, IconSun } from "../components/icons";
import { LoginPage } from "../features/auth/LoginPage";
import { CreatePage } from "../features/create/CreatePage";
import { JobsPage } from "../features/jobs/JobsPage";
import { LibraryPage } from "../features/library/LibraryPage";
import { ItemPage } from "../features/library/ItemPage";
import { setTheme, useTheme } from "./theme";

// Heavier screens load on demand; hls.js is only ever imported by the players inside them.
const WatchPage = lazy(() => import("../features/player/WatchPage"));
const LiveLoopPage = lazy(() => import("../features/liveloop/LiveLoopPage"));
const SettingsPage = lazy(() => import("../features/settings/SettingsPage"));

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

const queryClient = makeQueryClient();
// Ask who we are while React is still starting: saves one round trip before the first screen.
void queryClient.prefetchQuery({ queryKey: qk.me, queryFn: api.me, staleTime: Infinity, retry: false });

export function App() {
  const qc = queryClient;
  return (
    <QueryClientProvider client={qc}>
      <BrowserRouter>
        <AuthGate />
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function AuthGate() {
  const qc = useQueryClient();
  const me = useQuery({ queryKey: qk.me, queryFn: api.me, retry: false, staleTime: Infinity });
  useEffect(() => {
    api.onUnauthorized = () => qc.setQueryData(qk.me, null);
  }, [qc]);
  if (me.isPending) return <div className="login" aria-busy="true"><BrandMark size={56} /></div>;
  const authed = !!me.data && !(me.error instanceof ApiError && me.error.status === 401);
  if (!authed) return <LoginPage />;
  return <Shell />;
}

function Shell() {
  const qc = useQueryClient();
  const stream = useMemo(() => new EventStream(qc), [qc]);
  useEffect(() => {
    stream.start();
    return () => stream.stop();
  }, [stream]);
  const conn = useSyncExternalStore(stream.subscribe, stream.getState);
  const theme = useTheme();
  const navigate = useNavigate();
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
    { to: "/settings", label: "Settings", icon: <IconSettings /> },
  ];
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
      <main id="main" className="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route path="/" element={<Navigate to="/create" replace />} />
            <Route path="/create" element={<CreatePage />} />
            <Route path="/jobs" element={<JobsPage />} />
            <Route path="/library" element={<LibraryPage />} />
            <Route path="/library/:id" element={<ItemPage />} />
            <Route path="/watch/:id" element={<WatchPage />} />
            <Route path="/live" element={<LiveLoopPage />} />
            <Route path="/settings" element={<SettingsPage />} />
            <Route path="*" element={<div className="empty"><h1>Not found</h1><NavLink to="/create">Go to Create</NavLink></div>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
