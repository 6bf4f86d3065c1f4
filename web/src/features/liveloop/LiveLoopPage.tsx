import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { qk } from "../../api/keys";
import type { Content, Playlist, PlaylistPatch, ScheduledSlot } from "../../api/types";
import { ConfirmDialog } from "../../components/Dialog";
import { HlsVideo } from "../../components/HlsVideo";
import { formatDuration } from "../../components/format";
import { IconDown, IconDrag, IconPlus, IconTrash, IconUp } from "../../components/icons";
import { Empty, ErrorNote, OnAirBadge } from "../../components/ui";
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
      {lists.data && lists.data.items.length > 1 && (
        <div className="tabs" role="tablist" aria-label="Channels">
          {lists.data.items.map((p) => (
            <button key={p.id} role="tab" className="btn btn--ghost btn--sm" aria-selected={p.id === channel?.id} onClick={() => setSelected(p.id)}>{p.title}</button>
          ))}
        </div>
      )}
      {lists.data && !channel && <Empty><p>No channels yet. Add one above, or use “Add to LiveLoop” in the library.</p></Empty>}
      {channel && <Channel key={channel.id} channel={channel} byId={byId} library={library.data?.items ?? []} />}
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
  const withKey = (u: string) => (key.data ? `${u}${u.includes("?") ? "&" : "?"}key=${encodeURIComponent(key.data.key)}` : u);

  return (
    <div className="live">
      <div className="stack">
        <div className="player">
          <div className="live__badge"><OnAirBadge live={channel.active} /></div>
          {channel.active && channel.items.length > 0 ? (
            <HlsVideo src={channel.hls_endpoint} live hlsSubtitles muted autoPlay controls data-testid="live-video" aria-label={`${channel.title} live`} />
          ) : (
            <div className="preview-frame"><p>{channel.active ? "Add items to start the channel." : "The channel is off."}</p></div>
          )}
        </div>
        <section className="card" aria-label="Now and next">
          <h2>{channel.title}</h2>
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
            <dt>Channel</dt><dd className="secret">{withKey(origin + channel.hls_endpoint)}</dd>
            {key.data && <><dt>M3U</dt><dd className="secret">{key.data.m3u_url}</dd><dt>Guide</dt><dd className="secret">{key.data.guide_url}</dd></>}
          </dl>
        </section>
      </div>
      <div className="stack">
        <section className="card stack" aria-label="Channel settings">
          <div className="row row--between">
            <label className="check"><input type="checkbox" checked={channel.active} onChange={(e) => patch.mutate({ active: e.target.checked })} />Channel on</label>
            <label className="field"><span>Loop mode</span>
              <select className="input" value={channel.loop_mode} onChange={(e) => patch.mutate({ loop_mode: e.target.value as "in_order" | "shuffle" })}>
                <option value="in_order">In order</option><option value="shuffle">Shuffle (no repeats)</option>
              </select></label>
          </div>
          <ErrorNote error={patch.error} />
        </section>
        <PlaylistEditor channel={channel} byId={byId} library={library} onItems={(items) => patch.mutate({ items })} />
        <InsertForm channel={channel} library={library} />
        <SlotsEditor channel={channel} library={library} onSave={(s) => patch.mutate({ scheduled_slots: s })} />
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
  return (
    <section className="card stack" aria-label="Playlist">
      <h3>Playlist</h3>
      {items.length === 0 && <p className="small muted">Empty. Add items from the library.</p>}
      <ol className="plist" data-testid="playlist-items">
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
              <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label={`Move ${c?.title ?? cid} up`} disabled={i === 0} onClick={() => onItems(move(items, i, i - 1))}><IconUp size={16} /></button>
              <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label={`Move ${c?.title ?? cid} down`} disabled={i === items.length - 1} onClick={() => onItems(move(items, i, i + 1))}><IconDown size={16} /></button>
              <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label={`Remove ${c?.title ?? cid}`} onClick={() => onItems(items.filter((_, j) => j !== i))}><IconTrash size={16} /></button>
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

function InsertForm({ channel, library }: { channel: Playlist; library: Content[] }) {
  const qc = useQueryClient();
  const [cid, setCid] = useState("");
  const [at, setAt] = useState("");
  const ins = useMutation({
    mutationFn: (when: "next" | string) => api.insert(channel.id, Number(cid), when),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.nowNext(channel.id) });
      void qc.invalidateQueries({ queryKey: qk.playlists });
    },
  });
  return (
    <section className="card stack" aria-label="Insert a clip">
      <h3>Insert a clip</h3>
      <select className="input" aria-label="Clip to insert" value={cid} onChange={(e) => setCid(e.target.value)}>
        <option value="">Choose a clip…</option>
        {library.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
      </select>
      <div className="row">
        <button className="btn btn--cta btn--sm" disabled={!cid || ins.isPending} onClick={() => ins.mutate("next")}>Play next</button>
        <label className="visually-hidden" htmlFor={`at-${channel.id}`}>Insert at time</label>
        <input id={`at-${channel.id}`} className="input" type="datetime-local" style={{ width: "auto" }} value={at} onChange={(e) => setAt(e.target.value)} />
        <button className="btn btn--sm" disabled={!cid || !at || ins.isPending} onClick={() => ins.mutate(new Date(at).toISOString())}>Insert at time</button>
      </div>
      {ins.isSuccess && <p className="small" role="status">Inserted.</p>}
      <ErrorNote error={ins.error} />
    </section>
  );
}

function SlotsEditor({ channel, library, onSave }: { channel: Playlist; library: Content[]; onSave: (s: ScheduledSlot[]) => void }) {
  const [slots, setSlots] = useState<ScheduledSlot[]>(channel.scheduled_slots ?? []);
  useEffect(() => setSlots(channel.scheduled_slots ?? []), [channel.scheduled_slots]);
  const [err, setErr] = useState<string | null>(null);
  const set = (i: number, p: Partial<ScheduledSlot>) => setSlots((s) => s.map((x, j) => (j === i ? { ...x, ...p } : x)));
  const save = () => {
    const bad = slots.find((s) => !isClockTime(s.time) || !s.content_id);
    if (bad) return setErr("Each slot needs a time like 20:00 and an item.");
    setErr(null);
    onSave(slots);
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
            <button type="button" className="btn btn--ghost btn--sm btn--icon" aria-label="Remove slot" onClick={() => setSlots((x) => x.filter((_, j) => j !== i))}><IconTrash size={16} /></button>
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
      <div className="row">
        <button type="button" className="btn btn--sm" onClick={() => setSlots((s) => [...s, { time: "20:00", days: "daily" }])}><IconPlus size={16} />Add slot</button>
        <button type="button" className="btn btn--primary btn--sm" onClick={save}>Save slots</button>
      </div>
    </section>
  );
}
