import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { memo, useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, type ContentQuery } from "../../api/client";
import { qk } from "../../api/keys";
import type { Content, Page } from "../../api/types";
import { ConfirmDialog } from "../../components/Dialog";
import { formatDuration } from "../../components/format";
import { IconLive, IconPlay, IconSearch, IconTrash } from "../../components/icons";
import { Empty, ErrorNote } from "../../components/ui";
import { ImportButton } from "./ImportButton";

/** Items per page: the grid renders at most this many tiles, so 500 items stay fast. */
export const LIBRARY_PAGE = 48;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** "Español (es)": the language's own name where the browser knows it, and its code. */
export function languageLabel(code: string): string {
  try {
    const name = new Intl.DisplayNames([code], { type: "language" }).of(code);
    if (name && name !== code) return `${name.charAt(0).toLocaleUpperCase(code)}${name.slice(1)} (${code})`;
  } catch {
    // not a language tag the browser knows
  }
  return code;
}

/** The library: lazy thumbnails, full-text search, sort, filters, paging. */
export function LibraryPage() {
  const [sp, setSp] = useSearchParams();
  const [q, setQ] = useState(sp.get("q") ?? "");
  const dq = useDebounced(q.trim(), 250);
  const sort = sp.get("sort") ?? "newest";
  const published = sp.get("published") ?? "";
  const visibility = sp.get("visibility") ?? "";
  const language = sp.get("language") ?? "";
  const page = Math.max(0, Number(sp.get("page")) || 0);
  const update = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v);
    else n.delete(k);
    if (k !== "page") n.delete("page");
    setSp(n, { replace: true });
  };
  useEffect(() => {
    if ((sp.get("q") ?? "") !== dq) update("q", dq);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dq]);

  // The filters as the contract types them (the page's address holds them as words).
  const params: ContentQuery = {
    q: dq, sort: sort as ContentQuery["sort"], published: published === "" ? undefined : published === "true",
    visibility: (visibility || undefined) as ContentQuery["visibility"], language, limit: LIBRARY_PAGE, offset: page * LIBRARY_PAGE,
  };
  const list = useQuery({ queryKey: qk.content(params), queryFn: () => api.content(params), placeholderData: keepPreviousData });
  // The Language choices: every language seen on the pages loaded so far (the original ones and
  // those added by dubs or captions), and the one chosen (from a shared link).
  const seenLanguages = useRef(new Set<string>());
  for (const c of list.data?.items ?? []) for (const l of c.languages) seenLanguages.current.add(l);
  if (language) seenLanguages.current.add(language);
  const languageChoices = [...seenLanguages.current].sort((a, b) => languageLabel(a).localeCompare(languageLabel(b)));
  const [toDelete, setToDelete] = useState<Content | null>(null);
  const qc = useQueryClient();
  const del = useMutation({
    mutationFn: (id: number) => api.deleteContent(id),
    onSuccess: (_r, id) => {
      for (const [key, p] of qc.getQueriesData<Page<Content>>({ queryKey: qk.contentAll })) {
        if (p?.items.some((x) => x.id === id)) qc.setQueryData(key, { ...p, items: p.items.filter((x) => x.id !== id), total: p.total - 1 });
      }
      void qc.invalidateQueries({ queryKey: qk.contentAll });
      setToDelete(null);
      // The tile (and the button that opened the dialog) is gone: keep focus on the page.
      heading.current?.focus();
    },
  });
  const total = list.data?.total ?? 0;
  const filtered = !!(dq || published || visibility || language);
  const clearFilters = () => {
    setQ("");
    setSp(new URLSearchParams(sort !== "newest" ? { sort } : {}), { replace: true });
  };
  const heading = useRef<HTMLHeadingElement>(null);
  const pages = Math.max(1, Math.ceil(total / LIBRARY_PAGE));

  return (
    <div>
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>Library</h1>
        <span className="muted small" data-testid="library-total">{list.data ? `${total} item${total === 1 ? "" : "s"}` : ""}</span>
        <ImportButton />
      </div>
      <div className="toolbar" role="search">
        <label className="field field--grow">
          <span><IconSearch size={14} /> Search</span>
          <input className="input" type="search" name="q" value={q} placeholder="Titles, scripts, transcripts…" onChange={(e) => setQ(e.target.value)} />
        </label>
        <label className="field">
          <span>Sort</span>
          <select className="input" value={sort} onChange={(e) => update("sort", e.target.value)}>
            <option value="newest">Newest</option><option value="oldest">Oldest</option><option value="title">Title</option><option value="duration">Duration</option>
          </select>
        </label>
        <label className="field">
          <span>LiveLoop</span>
          <select className="input" value={published} onChange={(e) => update("published", e.target.value)}>
            <option value="">All</option><option value="true">On LiveLoop</option><option value="false">Not on LiveLoop</option>
          </select>
        </label>
        <label className="field">
          <span>Visibility</span>
          <select className="input" value={visibility} onChange={(e) => update("visibility", e.target.value)}>
            <option value="">All</option><option value="private">Private</option><option value="public">Public</option>
          </select>
        </label>
        <label className="field">
          <span>Language</span>
          <select className="input" value={language} onChange={(e) => update("language", e.target.value)}>
            <option value="">All</option>
            {languageChoices.map((l) => <option key={l} value={l}>{languageLabel(l)}</option>)}
          </select>
        </label>
      </div>
      <ErrorNote error={list.error} />
      {list.data && list.data.items.length === 0 && (
        <Empty>
          {filtered ? (
            <>
              <p data-testid="library-empty">{dq ? <>Nothing matches “{dq}”</> : <>No items match these filters</>}{page > 0 && total > 0 ? " on this page" : ""}.</p>
              <button type="button" className="btn btn--primary" onClick={clearFilters}>Clear search and filters</button>
            </>
          ) : page > 0 && total > 0 ? (
            <><p data-testid="library-empty">This page is empty.</p><button type="button" className="btn btn--primary" onClick={() => update("page", "")}>First page</button></>
          ) : (
            <><p data-testid="library-empty">The library is empty.</p><Link className="btn btn--cta" to="/create">Create your first video</Link></>
          )}
        </Empty>
      )}
      <div className="lib-grid" data-testid="library-grid" aria-busy={list.isFetching}>
        {list.data?.items.map((c) => <Tile key={c.id} item={c} onDelete={setToDelete} />)}
      </div>
      {pages > 1 && (
        <nav className="pager" aria-label="Library pages">
          <button className="btn btn--sm" disabled={page === 0} onClick={() => update("page", String(page - 1))}>Previous</button>
          <span className="small muted">Page {page + 1} of {pages}</span>
          <button className="btn btn--sm" disabled={page + 1 >= pages} onClick={() => update("page", String(page + 1))}>Next</button>
        </nav>
      )}
      <ConfirmDialog open={!!toDelete} title={`Delete “${toDelete?.title ?? ""}”?`} confirmLabel="Delete" danger
        onCancel={() => setToDelete(null)} onConfirm={() => toDelete && del.mutate(toDelete.id)}>
        <p>The video, its captions, HLS renditions and assets are removed. If it is on air, LiveLoop drops it from the schedule ahead.</p>
        <ErrorNote error={del.error} />
      </ConfirmDialog>
    </div>
  );
}

const Tile = memo(function Tile({ item, onDelete }: { item: Content; onDelete: (c: Content) => void }) {
  const qc = useQueryClient();
  const patchCache = (patch: Partial<Content>) => {
    for (const [key, p] of qc.getQueriesData<Page<Content>>({ queryKey: qk.contentAll })) {
      if (p?.items.some((x) => x.id === item.id)) qc.setQueryData(key, { ...p, items: p.items.map((x) => (x.id === item.id ? { ...x, ...patch } : x)) });
    }
    qc.setQueryData<Content>(qk.contentItem(item.id), (old) => (old ? { ...old, ...patch } : old));
  };
  const live = useMutation({
    mutationFn: (on: boolean) => (on ? api.publish(item.id) : api.unpublish(item.id)),
    onSuccess: (_r, on) => {
      patchCache({ published: on });
      void qc.invalidateQueries({ queryKey: qk.playlists });
    },
  });
  const vis = useMutation({
    mutationFn: (v: "private" | "public") => api.patchContent(item.id, { visibility: v }),
    onSuccess: (c, v) => patchCache(c && typeof c === "object" && "id" in c ? c : { visibility: v }),
  });
  return (
    <article className="tile" data-testid="library-item" aria-labelledby={`t-${item.id}`}>
      <Link to={`/watch/${item.id}`} className="tile__thumb">
        {item.thumbnail ? <img src={item.thumbnail} alt="" loading="lazy" decoding="async" width={320} height={180} /> : null}
        <span className="visually-hidden">Play {item.title || `Untitled #${item.id}`}, </span>
        <span className="tile__dur">{formatDuration(item.duration)}</span>
      </Link>
      <div className="tile__body">
        <Link id={`t-${item.id}`} to={`/library/${item.id}`} className="tile__title">{item.title || `Untitled #${item.id}`}</Link>
        <div className="row">
          <Link className="btn btn--primary btn--sm" to={`/watch/${item.id}`}><IconPlay size={14} />Watch</Link>
          <button className="btn btn--sm" aria-pressed={item.published} disabled={live.isPending} onClick={() => live.mutate(!item.published)}
            title={item.published ? "Remove from LiveLoop" : "Add to LiveLoop"}>
            <IconLive size={14} />{item.published ? "On LiveLoop" : "Add to LiveLoop"}
          </button>
          <button className="btn btn--sm" aria-pressed={item.visibility === "public"} disabled={vis.isPending}
            onClick={() => vis.mutate(item.visibility === "public" ? "private" : "public")} title="Toggle visibility">
            {item.visibility === "public" ? "Public" : "Private"}
          </button>
          <button className="btn btn--ghost btn--sm btn--icon" aria-label={`Delete ${item.title}`} onClick={() => onDelete(item)}><IconTrash size={16} /></button>
        </div>
        <ErrorNote error={live.error ?? vis.error} />
      </div>
    </article>
  );
});
