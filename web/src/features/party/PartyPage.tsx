import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type FormEvent } from "react";
import { createPortal } from "react-dom";
import { useParams, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { partyApi } from "./api";
import { PartyClient, type PartySnapshot } from "./client";
import { PartyPlayer } from "./PartyPlayer";
import { documentPipSupported, duck, flip, openDocumentPip, openGame, videoPip, type PipSession } from "./pip";
import type { PartyDescription } from "./protocol";

const NAME_KEY = "beacon.party.name";

/**
 * A watch party: the player (driven by the party's sync engine) and a side panel with chat; the
 * host and signed-in members also see members (host badge, buffering, latency), the invite
 * link with a copy button, hand-off and "anyone can control". Guests arrive with ?invite= and
 * pick a display name.
 */
export default function PartyPage() {
  const id = useParams().id ?? "";
  const [search] = useSearchParams();
  const invite = search.get("invite") ?? "";
  const game = search.get("game") ?? "";
  const [party, setParty] = useState<PartyDescription | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState(() => {
    try {
      return localStorage.getItem(NAME_KEY) ?? "";
    } catch {
      return "";
    }
  });
  const [client, setClient] = useState<PartyClient | null>(null);

  useEffect(() => {
    partyApi
      .get(id, invite || undefined)
      .then((p) => {
        setParty(p);
        // Signed in: learn the CSRF token for "End the party" (this page is outside the shell).
        if (p.you_are === "user") void api.me().catch(() => undefined);
      })
      .catch((e: Error) => setLoadError(e.message));
  }, [id, invite]);
  useEffect(() => () => client?.stop(), [client]);

  const join = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim() || (party?.you_are === "user" ? "Host" : "");
    if (!n) return;
    try {
      localStorage.setItem(NAME_KEY, n);
    } catch {
      /* remembered for this visit only */
    }
    const c = new PartyClient({ partyId: id, invite: party?.you_are === "guest" ? invite : undefined, name: n });
    c.start();
    setClient(c);
  };

  if (loadError) {
    return <main className="party-page"><h1>Watch party</h1><p className="alert" role="alert">{loadError}</p></main>;
  }
  if (!party) return <main className="party-page"><p className="muted">Loading the party…</p></main>;
  if (!client) {
    return (
      <main className="party-page">
        <form className="stack card" onSubmit={join} style={{ maxWidth: 420, margin: "var(--space-6) auto" }} data-testid="party-join">
          <h1>Join “{party.title}”</h1>
          <p className="muted small">{party.member_count} watching now · {party.live ? "live channel" : "synchronised playback"}</p>
          <label className="field">
            <span>Your name</span>
            <input value={name} maxLength={40} onChange={(e) => setName(e.target.value)} required={party.you_are !== "user"}
              autoFocus data-testid="party-name" />
          </label>
          <button type="submit" className="btn btn--primary" data-testid="party-join-button">Join the party</button>
        </form>
      </main>
    );
  }
  return <PartyRoom client={client} party={party} invite={invite} gameUrl={game} />;
}

function PartyRoom({ client, party, invite, gameUrl }: { client: PartyClient; party: PartyDescription; invite: string; gameUrl: string }) {
  const snap = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const videoBox = useRef<HTMLDivElement>(null);
  const pagePlace = useRef<HTMLDivElement>(null);
  const [pip, setPip] = useState<PipSession | null>(null);
  const [pipNote, setPipNote] = useState<string | null>(null);
  const [gameInPip, setGameInPip] = useState(false);
  const gameFrame = useRef<HTMLIFrameElement | null>(null);
  const media = party.media ?? { hls: "", captions: [] };
  const isHost = snap.me !== null && snap.host === snap.me.id;
  const fullPanel = party.you_are === "user" || isHost;

  useEffect(() => () => pip?.close(), [pip]);
  // Audio ducking: the game is quieter while the party's video plays with sound.
  useEffect(() => {
    const v = videoBox.current?.querySelector("video");
    if (!gameFrame.current || !v) return;
    duck(gameFrame.current, snap.state?.playing && !v.muted ? 0.3 : 1);
  }, [snap.state?.playing, pip]);

  const togglePip = async () => {
    if (pip) {
      pip.close();
      return;
    }
    const box = videoBox.current;
    if (!box) return;
    if (documentPipSupported()) {
      const session = await openDocumentPip(box, () => {
        setPip(null);
        setGameInPip(false);
      });
      if (gameUrl) gameFrame.current = openGame(session, gameUrl);
      setPip(session);
      setPipNote(null);
      return;
    }
    const v = box.querySelector("video");
    const ok = v ? await videoPip(v).catch(() => false) : false;
    setPipNote(ok ? "This browser has no Document Picture-in-Picture: only the video floats; chat stays here."
      : "Picture-in-Picture is not available in this browser.");
  };
  const doFlip = () => {
    if (!pip || !videoBox.current || !pagePlace.current) return;
    flip(pip, videoBox.current, pagePlace.current, !gameInPip);
    setGameInPip(!gameInPip);
  };

  if (snap.status === "ended") {
    return <main className="party-page"><h1>{party.title}</h1><p className="alert" role="status" data-testid="party-ended">The party has ended.</p></main>;
  }
  if (snap.status === "refused") {
    return <main className="party-page"><h1>{party.title}</h1><p className="alert" role="alert">{snap.error}</p></main>;
  }
  return (
    <main className="party-page" data-testid="party-room" data-member={snap.me?.id ?? ""} data-host={snap.host}>
      <div className="party-layout" style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) 320px", gap: "var(--space-4)" }}>
        <section className="stack" ref={pagePlace}>
          <div className="row row--between">
            <h1 style={{ margin: 0 }}>{party.title}</h1>
            <div className="row">
              <button type="button" className="btn btn--sm" onClick={togglePip} data-testid="party-pip">{pip ? "Back to the page" : "Picture-in-Picture"}</button>
              {pip && gameUrl && <button type="button" className="btn btn--sm" onClick={doFlip} data-testid="party-flip">Flip</button>}
            </div>
          </div>
          {pipNote && <p className="small muted" role="status">{pipNote}</p>}
          <PartyPlayer client={client} media={media} live={party.live} duration={party.duration} title={party.title} videoBox={videoBox} />
          {snap.status !== "open" && <p className="small muted" role="status">Reconnecting…</p>}
        </section>
        <aside className="stack card" aria-label="Party" data-testid="party-panel">
          {fullPanel && <Members client={client} snap={snap} isHost={isHost} />}
          {fullPanel && <InviteLink partyId={party.id} invite={invite} />}
          {pip ? createPortal(<Chat client={client} snap={snap} />, pip.chatRoot) : <Chat client={client} snap={snap} />}
          {party.you_are === "user" && <EndParty partyId={party.id} />}
        </aside>
      </div>
    </main>
  );
}

function Members({ client, snap, isHost }: { client: PartyClient; snap: PartySnapshot; isHost: boolean }) {
  return (
    <section>
      <h2 className="small">Watching ({snap.members.filter((m) => m.connected).length})</h2>
      <ul className="stack" style={{ listStyle: "none", padding: 0, gap: "var(--space-1)" }} data-testid="party-members">
        {snap.members.map((m) => (
          <li key={m.id} className="row row--between" data-testid="party-member" data-id={m.id}>
            <span>
              {m.name}{m.id === snap.me?.id ? " (you)" : ""}
              {m.host && <span className="badge" data-testid="host-badge" style={{ marginLeft: 6 }}>host</span>}
              {m.buffering && <span className="badge" style={{ marginLeft: 6 }}>buffering</span>}
              {m.catching_up && <span className="badge" style={{ marginLeft: 6 }}>catching up</span>}
              {!m.connected && <span className="muted small"> (reconnecting)</span>}
            </span>
            <span className="row">
              <span className="small muted" title="One-way latency to the server">{m.latency_ms} ms</span>
              {isHost && !m.host && m.connected && (
                <button type="button" className="btn btn--sm" data-testid="handoff" onClick={() => client.send({ type: "handoff", to: m.id })}>Make host</button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {isHost && (
        <label className="row small">
          <input type="checkbox" checked={snap.anyoneControls} data-testid="anyone-controls"
            onChange={(e) => client.send({ type: "settings", anyone_controls: e.target.checked })} />
          Anyone can control playback
        </label>
      )}
    </section>
  );
}

function InviteLink({ partyId, invite }: { partyId: string; invite: string }) {
  const [copied, setCopied] = useState(false);
  const link = useMemo(() => `${location.origin}/party/${partyId}?invite=${encodeURIComponent(invite)}`, [partyId, invite]);
  if (!invite) return null;
  return (
    <section className="stack" style={{ gap: "var(--space-1)" }}>
      <h2 className="small">Invite link</h2>
      <input readOnly value={link} aria-label="Invite link" data-testid="invite-link" onFocus={(e) => e.target.select()} />
      <button type="button" className="btn btn--sm" data-testid="copy-invite" onClick={() => {
        void navigator.clipboard?.writeText(link).then(() => setCopied(true), () => setCopied(false));
      }}>{copied ? "Copied" : "Copy link"}</button>
      <p className="small muted">The link opens this party and its video only, and expires in 24 hours.</p>
    </section>
  );
}

function Chat({ client, snap }: { client: PartyClient; snap: PartySnapshot }) {
  const [text, setText] = useState("");
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "nearest" });
  }, [snap.chat.length]);
  const send = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    client.send({ type: "chat", text: t });
    setText("");
  };
  return (
    <section className="stack party-chat" style={{ gap: "var(--space-1)" }}>
      <h2 className="small">Chat</h2>
      <ol aria-live="polite" ref={list} data-testid="party-chat" style={{ listStyle: "none", padding: 0, margin: 0, maxHeight: 320, overflowY: "auto" }}>
        {snap.chat.map((m) => (
          <li key={m.seq} className="small"><strong>{m.name}</strong>{" "}
            <time className="muted" dateTime={new Date(m.at).toISOString()}>{new Date(m.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</time>
            <div style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{m.text}</div>
          </li>
        ))}
      </ol>
      <form className="row" onSubmit={send}>
        <input value={text} maxLength={500} onChange={(e) => setText(e.target.value)} aria-label="Message" placeholder="Say something" data-testid="chat-input" style={{ flex: 1 }} />
        <button type="submit" className="btn btn--sm" data-testid="chat-send">Send</button>
      </form>
      {snap.error && <p className="small alert" role="alert">{snap.error}</p>}
    </section>
  );
}

function EndParty({ partyId }: { partyId: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button type="button" className="btn btn--sm" data-testid="end-party" onClick={() => {
        partyApi.end(partyId).catch((e: Error) => setError(e.message));
      }}>End the party</button>
      {error && <p className="small alert">{error}</p>}
    </>
  );
}
