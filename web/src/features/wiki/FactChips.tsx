import { useQuery } from "@tanstack/react-query";
import "./wiki.css";
import { useEffect, useId, useRef, useState } from "react";
import { provenance, wikiApi, wikiKeys, type FactMention } from "./api";
import { activeFacts, loadFactsSetting, saveFactsSetting } from "./facts";

/**
 * Fact chips under the player: while an entity is spoken a "Facts: <name>" chip shows; pressing
 * it (mouse, tap, Enter or Space) opens a compact card with the summary, image and source link.
 * Escape or the close button closes it and gives focus back to the chip. The chips sit below
 * the picture, so they never cover captions; "Show facts" turns them off (remembered).
 */
export function FactChips({ contentId, video }: { contentId: number; video: () => HTMLVideoElement | null }) {
  const [on, setOn] = useState(loadFactsSetting);
  const facts = useQuery({ queryKey: wikiKeys.facts(contentId), queryFn: () => wikiApi.facts(contentId), enabled: on, retry: false });
  const [t, setT] = useState(0);
  const [open, setOpen] = useState<FactMention | null>(null);
  const chipRefs = useRef(new Map<string, HTMLButtonElement>());
  const lastChip = useRef<string>("");

  useEffect(() => {
    let v: HTMLVideoElement | null = null;
    let timer = 0;
    const tick = () => setT(v?.currentTime ?? 0);
    const attach = () => {
      v = video();
      if (!v) {
        timer = window.setTimeout(attach, 250);
        return;
      }
      v.addEventListener("timeupdate", tick);
      v.addEventListener("seeked", tick);
      tick();
    };
    attach();
    return () => {
      window.clearTimeout(timer);
      v?.removeEventListener("timeupdate", tick);
      v?.removeEventListener("seeked", tick);
    };
  }, [video]);

  const close = () => {
    setOpen(null);
    // Focus goes back to the chip that opened the card (if it is still shown).
    requestAnimationFrame(() => chipRefs.current.get(lastChip.current)?.focus());
  };

  const items = facts.data?.items ?? [];
  const active = on ? activeFacts(items, t) : [];
  return (
    <div className="wiki-facts" data-testid="fact-chips">
      <div className="row" role="group" aria-label="Facts about what is said">
        {active.map((m) => (
          <button key={m.fact.title} type="button" className="btn wiki-chip" data-testid="fact-chip"
            aria-haspopup="dialog" aria-expanded={open?.fact.title === m.fact.title}
            ref={(el) => { if (el) chipRefs.current.set(m.fact.title, el); else chipRefs.current.delete(m.fact.title); }}
            onClick={() => { lastChip.current = m.fact.title; setOpen(open?.fact.title === m.fact.title ? null : m); }}>
            Facts: {m.entity}
          </button>
        ))}
        <label className="check small muted wiki-facts__toggle">
          <input type="checkbox" checked={on} data-testid="facts-enabled"
            onChange={(e) => { setOn(e.target.checked); saveFactsSetting(e.target.checked); if (!e.target.checked) setOpen(null); }} />
          Show facts
        </label>
      </div>
      {open && <FactCard mention={open} onClose={close} />}
    </div>
  );
}

/** The compact card (non-modal dialog): title, 2-3 sentences, image, source link, provenance. */
export function FactCard({ mention, onClose }: { mention: FactMention; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const f = mention.fact;
  useEffect(() => {
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, [onClose]);
  return (
    <div ref={ref} className="card wiki-card" role="dialog" aria-modal="false" aria-labelledby={titleId}
      tabIndex={-1} data-testid="fact-card">
      <div className="row row--between">
        <h2 id={titleId} className="h3">{f.title}</h2>
        <button type="button" className="btn wiki-card__close" onClick={onClose} aria-label="Close facts">×</button>
      </div>
      <div className="wiki-card__body">
        {f.image_url && <img className="wiki-card__image" src={f.image_url} alt="" width={96} height={96} loading="lazy" />}
        {/* Text only: summaries are plain text, rendered as text. */}
        <p className="small" data-testid="fact-summary">{f.summary}</p>
      </div>
      <p className="small muted">
        <a href={f.source_url} target="_blank" rel="noopener noreferrer" data-testid="fact-source">Read the article</a>
        {" · "}{provenance(f.source)}
      </p>
    </div>
  );
}

/** The Beacon player's video element on the page (the chips follow its clock). */
export const playerVideo = () => document.querySelector<HTMLVideoElement>('[data-testid="player"] video');
