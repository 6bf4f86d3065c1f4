import { useEffect, useId, useRef, useState, type ReactNode } from "react";

/** A control-bar popover: a button that opens a panel; Esc or a click outside closes it. */
export function Menu({ label, icon, children, testId, text }: { label: string; icon: ReactNode; text?: string; testId?: string; children: (close: () => void) => ReactNode }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const btn = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);
  const close = () => {
    setOpen(false);
    btn.current?.focus();
  };
  return (
    <div className="menu" ref={ref} onKeyDown={(e) => { if (e.key === "Escape" && open) { e.stopPropagation(); close(); } }}>
      <button ref={btn} type="button" className="btn btn--sm" aria-haspopup="true" aria-expanded={open} aria-controls={id}
        aria-label={label} title={label} data-testid={testId} onClick={() => setOpen((o) => !o)}>
        {icon}{text ? <span>{text}</span> : null}
      </button>
      {open && (
        <div id={id} className="menu__panel" role="group" aria-label={label} data-testid={testId ? `${testId}-panel` : undefined}>
          {children(close)}
        </div>
      )}
    </div>
  );
}

export function RadioItem({ checked, onSelect, children, testId }: { checked: boolean; onSelect: () => void; children: ReactNode; testId?: string }) {
  return (
    <button type="button" role="menuitemradio" aria-checked={checked} onClick={onSelect} data-testid={testId}>
      <span>{children}</span>{checked ? <span aria-hidden="true">✓</span> : null}
    </button>
  );
}
