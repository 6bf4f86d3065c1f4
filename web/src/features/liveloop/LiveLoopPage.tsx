import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import type { Content, NowNext, Playlist, PlaylistPatch, ScheduledSlot } from "../../api/types";
import { ConfirmDialog } from "../../components/Dialog";
import { formatDuration } from "../../components/format";
import { IconDown, IconDrag, IconPlus, IconTrash, IconUp } from "../../components/icons";
import { CopyButton, Empty, ErrorNote, OnAirBadge } from "../../components/ui";
import { LivePlayer } from "./LivePlayer";
import { WatchTogetherButton } from "../party";
import { isClockTime, move } from "./reorder";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** LiveLoop: the live channel player with ON AIR, now/next, and the playlist editor. */
export default function LiveLoopPage() {
  const qc = useQueryClient();
  const lists = useQuery({ queryKey: qk.playlists, queryFn: api.playlists });
  const [selected, setSelected] = useState<number | null>(null);
  const channel = lists.data?.items.find((p) => p.id === selected) ?? lists.data?.items[0];
  // The picker offers the 200 newest items (the API's page limit); playlist entries older than
  // that are looked up one by one so every row shows its title.
  const library = useQuery({ queryKey: qk.content({ sort: "newest", limit: 200 }), queryFn: () => api.content({ sort: "newest", limit: 200 }) });
  const listed = useMemo(() => new Map((library.data?.items ?? []).map((c) => [c.id, c])), [library.data]);
  const missing = useMemo(() => {
    if (!library.data) return [];
    const ids = new Set<number>();
    for (const p of lists.data?.items ?? []) for (const id of p.items) if (!listed.has(id)) ids.add(id);
    return [...ids].slice(0, 100);
  }, [lists.data, listed, library.data]);
  const extra = useQueries({ queries: missing.map((id) => ({ queryKey: qk.contentItem(id), queryFn: () => api.contentItem(id), staleTime: 60_000 })) });
  const byId = useMemo(() => {
    const m = new Map(listed);
    for (const q of extra) if (q.data) m.set(q.data.id, q.data);
    return m;
  }, [listed, extra]);
  const [title, setTitle] = useState("");
  const create = useMutation({
    mutationFn: () => api.createPlaylist(title.trim()),
    onSuccess: (p) => {
      setTitle("");
      void qc.invalidateQueries({ queryKey: qk.playlists });
      if (p?.id) setSelected(p.id);
    },
  });

  return (
    <div>
      <div className="page-head">
        <h1>LiveLoop</h1>
        <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); if (title.trim()) create.mutate(); }}>
          <label className="visually-hidden" htmlFor="new-ch">New channel name</label>
          <input id="new-ch" className="input" style={{ width: "14rem" }} placeholder="New channel name" value={title} onChange={(e) => setTitle(e.target.value)} />
          <button className="btn btn--primary" type="submit" disabled={!title.trim() || create.isPending}><IconPlus size={16} />Add channel</button>
        </form>
      </div>
      <ErrorNote error={lists.error ?? create.error} />
      {lists.data && lists.data.items.length > 1 && channel && (
        <ChannelTabs items={lists.data.items} selected={channel.id} onSelect={setSelected} />
      )}
      {lists.data && !channel && <Empty><p>No channels yet. Add one above, or use “Add to LiveLoop” in the library.</p></Empty>}
      {channel && (
        <div role={lists.data && lists.data.items.length > 1 ? "tabpanel" : undefined} id={`ch-panel-${channel.id}`} aria-labelledby={lists.data && lists.data.items.length > 1 ? `ch-tab-${channel.id}` : undefined}>
          <Channel key={channel.id} channel={channel} byId={byId} library={library.data?.items ?? []} />
        </div>
      )}
    </div>
  );
}

function Channel({ channel, byId, library }: { channel: Playlist; byId: Map<number, Content>; library: Content[] }) {
  const qc = useQueryClient();
  const now = useQuery({ queryKey: qk.nowNext(channel.id), queryFn: () => api.nowNext(channel.id), refetchInterval: 15_000, enabled: channel.active });
  const key = useQuery({ queryKey: qk.streamKey, queryFn: api.streamKey, staleTime: Infinity });
  const patch = useMutation({
    mutationFn: (p: PlaylistPatch) => api.patchPlaylist(channel.id, p),
    onMutate: (p) => {
      qc.setQueryData<{ items: Playlist[] }>(qk.playlists, (old) => old && { items: old.items.map((x) => (x.id === channel.id ? { ...x, ...p } as Playlist : x)) });
    },
    onSuccess: (p) => {
      if (p?.id) qc.setQueryData<{ items: Playlist[] }>(qk.playlists, (old) => old && { items: old.items.map((x) => (x.id === p.id ? p : x)) });
      void qc.invalidateQueries({ queryKey: qk.nowNext(channel.id) });
    },
    onError: () => void qc.invalidateQueries({ queryKey: qk.playlists }),
  });
  const del = useMutation({ mutationFn: () => api.deletePlaylist(channel.id), onSuccess: () => qc.invalidateQueries({ queryKey: qk.playlists }) });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const origin = typeof location !== "undefined" ? location.origin : "";
  const onAir = channel.active && channel.items.length > 0 && !!now.data?.now;
  const withKey = (u: string) => (key.data ? `${u}${u.includes("?") ? "&" : "?"}key=${encodeURIComponent(key.data.key)}` : u);

  return (
    <div className="live">
      <div className="stack">
        <div className="channel-head">
          <h2>{channel.title}</h2>
          {onAir ? <OnAirBadge /> : <span className="badge" data-testid="off-air">{channel.active ? "Nothing on air" : "Channel off"}</span>}
        </div>
        {channel.active && channel.items.length > 0 ? (
          <LivePlayer src={channel.hls_endpoint} title={channel.title} />
        ) : (
          <div className="player"><div className="preview-frame"><p>{channel.active ? "Add items to start the channel." : "The channel is off."}</p></div></div>
        )}
        <section className="card" aria-label="Now and next">
          <h3>Now and next</h3>
          {now.data?.now ? (
            <p><strong>Now:</strong> {now.data.now.title} <span className="muted small">until {new Date(now.data.now.end).toLocaleTimeString()}</span></p>
          ) : <p className="muted">Nothing on air.</p>}
          {now.data && now.data.next.length > 0 && (
            <ol className="small" style={{ margin: 0, paddingLeft: "1.25rem" }}>
              {now.data.next.slice(0, 5).map((n, i) => <li key={i}>{n.title} <span className="muted">{new Date(n.start).toLocaleTimeString()}</span></li>)}
            </ol>
          )}
        </section>
        <section className="card stack" aria-label="Tune in from other players">
          <h2>Tune in elsewhere</h2>
          <p className="small muted">These links carry your read-only stream key; rotate it in Settings to revoke them.</p>
          <dl className="kv">
            <dt>Channel</dt><dd><p className="secret" style={{ margin: 0 }}>{withKey(origin + channel.hls_endpoint)}</p><CopyButton text={withKey(origin + channel.hls_endpoint)} label="channel URL" /></dd>
            {key.data && <>
              <dt>M3U</dt><dd><p className="secret" style={{ margin: 0 }}>{key.data.m3u_url}</p><CopyButton text={key.data.m3u_url} label="M3U URL" /></dd>
              <dt>Guide</dt><dd><p className="secret" style={{ margin: 0 }}>{key.data.guide_url}</p><CopyButton text={key.data.guide_url} label="guide URL" /></dd>
            </>}
          </dl>
        </section>
      </div>
      <div className="stack">
        <section className="card stack" aria-label="Channel settings">
          <div className="row row--between">
            <label className="check"><input type="checkbox" checked={channel.active} onChange={(e) => patch.mutate({ active: e.target.checked })} />Channel on</label>
            <WatchTogetherButton channel={channel.slug} />
            <label className="field"><span>Loop mode</span>
              <select className="input" value={channel.loop_mode} onChange={(e) => patch.mutate({ loop_mode: e.target.value as "in_order" | "shuffle" })}>
                <option value="in_order">In order</option><option value="shuffle">Shuffle (no repeats)</option>
              </select></label>
          </div>
          <ErrorNote error={patch.error} />
        </section>
        <PlaylistEditor channel={channel} byId={byId} library={library} onItems={(items) => patch.mutate({ items })} />
        <InsertForm channel={channel} library={library} />
        <SlotsEditor channel={channel} library={library} />
        <button className="btn btn--danger btn--sm" style={{ alignSelf: "start" }} onClick={() => setConfirmDelete(true)}><IconTrash size={16} />Delete channel</button>
        <ConfirmDialog open={confirmDelete} title={`Delete channel “${channel.title}”?`} confirmLabel="Delete" danger
          onCancel={() => setConfirmDelete(false)} onConfirm={() => { setConfirmDelete(false); del.mutate(); }}>
          <p>Viewers tuned in lose the stream. Library items are kept.</p>
        </ConfirmDialog>
      </div>
    </div>
  );
}

function PlaylistEditor({ channel, byId, library, onItems }: { channel: Playlist; byId: Map<number, Content>; library: Content[]; onItems: (ids: number[]) => void }) {
  const [drag, setDrag] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const [add, setAdd] = useState("");
  const items = channel.items;
  // After a move or removal the row re-renders elsewhere: focus follows the item (or the heading).
  const list = useRef<HTMLOListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const refocus = useRef<{ index: number; dir: "up" | "down" | "remove" } | null>(null);
  useEffect(() => {
    const r = refocus.current;
    if (!r) return;
    refocus.current = null;
    const row = list.current?.children[r.index] as HTMLElement | undefined;
    if (!row) return heading.current?.focus();
    const want = row.querySelector<HTMLButtonElement>(`[data-move="${r.dir}"]:not(:disabled)`)
      ?? row.querySelector<HTMLButtonElement>("button:not(:disabled)");
    want?.focus();
  }, [items]);
  return (
    <section className="card stack" aria-label="Playlist">
      <h3 ref={heading} tabIndex={-1}>Playlist</h3>
      {items.length === 0 && <p className="small muted">Empty. Add items from the library.</p>}
      <ol className="plist" data-testid="playlist-items" ref={list}>
        {items.map((cid, i) => {
          const c = byId.get(cid);
          return (
            <li key={`${cid}-${i}`} draggable data-dragging={drag === i} data-over={over === i && drag !== i}
              onDragStart={(e) => { setDrag(i); e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", String(i)); }}
              onDragOver={(e) => { e.preventDefault(); setOver(i); }}
              onDragLeave={() => setOver((o) => (o === i ? null : o))}
              onDrop={(e) => { e.preventDefault(); if (drag !== null && drag !== i) onItems(move(items, drag, i)); setDrag(null); setOver(null); }}
              onDragEnd={() => { setDrag(null); setOver(null); }}>
              <span className="drag-handle" aria-hidden="true"><IconDrag size={16} /></span>
              <span className="plist__title">{c?.title ?? `Item #${cid}`}{c ? <span className="muted"> · {formatDuration(c.duration)}</span> : null}</span>
              <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label={`Move ${c?.title ?? cid} up`} disabled={i === 0} data-move="up"
                onClick={() => { refocus.current = { index: i - 1, dir: "up" }; onItems(move(items, i, i - 1)); }}><IconUp size={16} /></button>
              <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label={`Move ${c?.title ?? cid} down`} disabled={i === items.length - 1} data-move="down"
                onClick={() => { refocus.current = { index: i + 1, dir: "down" }; onItems(move(items, i, i + 1)); }}><IconDown size={16} /></button>
              <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label={`Remove ${c?.title ?? cid}`} data-move="remove"
                onClick={() => { refocus.current = { index: Math.min(i, items.length - 2), dir: "remove" }; onItems(items.filter((_, j) => j !== i)); }}><IconTrash size={16} /></button>
            </li>
          );
        })}
      </ol>
      <form className="row" onSubmit={(e) => { e.preventDefault(); if (add) { onItems([...items, Number(add)]); setAdd(""); } }}>
        <label className="visually-hidden" htmlFor={`add-${channel.id}`}>Add from library</label>
        <select id={`add-${channel.id}`} className="input" style={{ flex: 1 }} value={add} onChange={(e) => setAdd(e.target.value)}>
          <option value="">Add from library…</option>
          {library.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
        </select>
        <button className="btn btn--primary btn--sm" type="submit" disabled={!add}><IconPlus size={16} />Add</button>
      </form>
    </section>
  );
}

/** When an inserted item airs, in words: "at 12:41:05 (in 1 min 43 s)". */
export function airsIn(startIso: string, now: number = Date.now()): string {
  const t = new Date(startIso);
  const s = Math.max(0, Math.round((t.getTime() - now) / 1000));
  const rel = s < 5 ? "now" : s < 60 ? `in ${s} s` : `in ${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `at ${t.toLocaleTimeString()} (${rel})`;
}

/** Finds when an inserted item is scheduled: the server's own answer, else the channel's "next" list. */
export function insertedAirTime(playlist: unknown, next: NowNext | undefined, contentId: number, after: number): string | null {
  const own = (playlist as { airs_at?: string } | undefined)?.airs_at;
  if (own) return own;
  const hit = next?.next.find((n) => n.content_id === contentId && new Date(n.end).getTime() > after);
  return hit?.start ?? null;
}

function InsertForm({ channel, library }: { channel: Playlist; library: Content[] }) {
  const qc = useQueryClient();
  const [cid, setCid] = useState("");
  const [at, setAt] = useState("");
  const [airs, setAirs] = useState<{ title: string; start: string | null; horizon: string | null } | null>(null);
  const ins = useMutation({
    mutationFn: async (when: "next" | string) => {
      const id = Number(cid);
      const sent = Date.now();
      const p = await api.insert(channel.id, id, when);
      // The schedule ahead is committed up to a horizon; ask the channel where the insert landed.
      const nn = await api.nowNext(channel.id).catch(() => undefined);
      if (nn) qc.setQueryData(qk.nowNext(channel.id), nn);
      const start = when === "next" ? insertedAirTime(p, nn, id, sent) : when;
      const last = nn?.next[nn.next.length - 1]?.end ?? nn?.now?.end ?? null;
      return { title: library.find((c) => c.id === id)?.title ?? `Item #${id}`, start, horizon: last };
    },
    onSuccess: (r) => {
      setAirs(r);
      void qc.invalidateQueries({ queryKey: qk.playlists });
    },
  });
  const change = (f: () => void) => {
    ins.reset();
    setAirs(null);
    f();
  };
  return (
    <section className="card stack" aria-label="Insert a clip">
      <h3>Insert a clip</h3>
      <select className="input" aria-label="Clip to insert" value={cid} onChange={(e) => change(() => setCid(e.target.value))}>
        <option value="">Choose a clip…</option>
        {library.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
      </select>
      <div className="row">
        <button className="btn btn--cta btn--sm" disabled={!cid || ins.isPending} onClick={() => ins.mutate("next")}>Play next</button>
        <label className="visually-hidden" htmlFor={`at-${channel.id}`}>Insert at time</label>
        <input id={`at-${channel.id}`} className="input" type="datetime-local" style={{ width: "auto" }} value={at} onChange={(e) => change(() => setAt(e.target.value))} />
        <button className="btn btn--sm" disabled={!cid || !at || ins.isPending} onClick={() => ins.mutate(new Date(at).toISOString())}>Insert at time</button>
      </div>
      {airs && (
        <p className="small" role="status" data-testid="insert-status">
          {airs.start
            ? <>“{airs.title}” airs {airsIn(airs.start)}.</>
            : <>Inserted “{airs.title}”. It airs after the part of the schedule that is already on its way{airs.horizon ? <> (until {new Date(airs.horizon).toLocaleTimeString()})</> : null}.</>}
        </p>
      )}
      <ErrorNote error={ins.error} />
    </section>
  );
}

/** The channel switcher with the tab pattern: arrow keys, Home/End, one tab stop. */
function ChannelTabs({ items, selected, onSelect }: { items: Playlist[]; selected: number; onSelect: (id: number) => void }) {
  const refs = useRef(new Map<number, HTMLButtonElement>());
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = items.findIndex((p) => p.id === selected);
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % items.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + items.length) % items.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = items.length - 1;
    if (j < 0) return;
    e.preventDefault();
    e.stopPropagation();
    onSelect(items[j].id);
    refs.current.get(items[j].id)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Channels" onKeyDown={onKey}>
      {items.map((p) => (
        <button key={p.id} ref={(el) => { if (el) refs.current.set(p.id, el); else refs.current.delete(p.id); }}
          role="tab" id={`ch-tab-${p.id}`} aria-controls={`ch-panel-${p.id}`} type="button" className="btn btn--ghost btn--sm"
          aria-selected={p.id === selected} tabIndex={p.id === selected ? 0 : -1} onClick={() => onSelect(p.id)}>{p.title}</button>
      ))}
    </div>
  );
}

function SlotsEditor({ channel, library }: { channel: Playlist; library: Content[] }) {
  const qc = useQueryClient();
  const [slots, setSlots] = useState<ScheduledSlot[]>(channel.scheduled_slots ?? []);
  useEffect(() => setSlots(channel.scheduled_slots ?? []), [channel.scheduled_slots]);
  const [err, setErr] = useState<string | null>(null);
  // Its own request: its error belongs to this card and goes with the next save.
  const saveSlots = useMutation({
    mutationFn: (s: ScheduledSlot[]) => api.patchPlaylist(channel.id, { scheduled_slots: s }),
    onSuccess: (p) => {
      if (p?.id) qc.setQueryData<{ items: Playlist[] }>(qk.playlists, (old) => old && { items: old.items.map((x) => (x.id === p.id ? p : x)) });
      void qc.invalidateQueries({ queryKey: qk.nowNext(channel.id) });
    },
  });
  const set = (i: number, p: Partial<ScheduledSlot>) => {
    saveSlots.reset();
    setSlots((s) => s.map((x, j) => (j === i ? { ...x, ...p } : x)));
  };
  const save = () => {
    const bad = slots.find((s) => !isClockTime(s.time) || !s.content_id);
    if (bad) return setErr("Each slot needs a time like 20:00 and an item.");
    setErr(null);
    saveSlots.mutate(slots);
  };
  return (
    <section className="card stack" aria-label="Scheduled slots">
      <h3>Scheduled slots</h3>
      {slots.length === 0 && <p className="small muted">No fixed slots. Add one to play an item at a set time.</p>}
      {slots.map((s, i) => (
        <div key={i} className="stack" style={{ borderTop: "1px solid var(--color-border)", paddingTop: "var(--space-2)" }}>
          <div className="row">
            <label className="field"><span>Time</span><input className="input" type="time" value={s.time} onChange={(e) => set(i, { time: e.target.value })} /></label>
            <label className="field" style={{ flex: 1 }}><span>Item</span>
              <select className="input" value={s.content_id ?? ""} onChange={(e) => set(i, { content_id: Number(e.target.value) || undefined })}>
                <option value="">Choose…</option>
                {library.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
              </select></label>
            <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label="Remove slot" onClick={() => { saveSlots.reset(); setSlots((x) => x.filter((_, j) => j !== i)); }}><IconTrash size={16} /></button>
          </div>
          <fieldset className="row" style={{ border: 0, padding: 0, margin: 0 }}>
            <legend className="small muted">Days</legend>
            <label className="check"><input type="checkbox" checked={s.days === "daily"} onChange={(e) => set(i, { days: e.target.checked ? "daily" : [] })} />Every day</label>
            {s.days !== "daily" && DAYS.map((d, di) => (
              <label key={d} className="check"><input type="checkbox" checked={Array.isArray(s.days) && s.days.includes(di)}
                onChange={(e) => set(i, { days: e.target.checked ? [...(s.days as number[]), di].sort() : (s.days as number[]).filter((x) => x !== di) })} />{d}</label>
            ))}
          </fieldset>
        </div>
      ))}
      {err && <p className="error-text" role="alert">{err}</p>}
      <ErrorNote error={saveSlots.error} />
      {saveSlots.isSuccess && <p className="small" role="status">Slots saved.</p>}
      <div className="row">
        <button type="button" className="btn btn--sm" onClick={() => { saveSlots.reset(); setSlots((s) => [...s, { time: "20:00", days: "daily" }]); }}><IconPlus size={16} />Add slot</button>
        <button type="button" className="btn btn--primary btn--sm" onClick={save} disabled={saveSlots.isPending}>Save slots</button>
      </div>
    </section>
  );
}
