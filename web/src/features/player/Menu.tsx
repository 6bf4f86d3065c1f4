import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";

const ITEMS = '[role="menuitem"], [role="menuitemradio"], [role="menuitemcheckbox"]';
const FOCUSABLE = 'button:not(:disabled), input:not(:disabled), select:not(:disabled), [tabindex]:not([tabindex="-1"])';

/**
 * A control-bar popover: a button that opens a panel. Opening moves focus into the panel;
 * ↑/↓ (and Home/End) move between its items without reaching the page's shortcuts; Esc or a
 * click outside closes it and focus returns to the button.
 */
export function Menu({ label, icon, children, testId, text, onOpenChange }: {
  label: string; icon: ReactNode; text?: string; testId?: string;
  children: (close: () => void) => ReactNode; onOpenChange?: (open: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const btn = useRef<HTMLButtonElement>(null);
  const id = useId();
  const cb = useRef(onOpenChange);
  cb.current = onOpenChange;
  useEffect(() => {
    cb.current?.(open);
    if (!open) return;
    const p = panel.current;
    const first = p?.querySelector<HTMLElement>('[aria-checked="true"]') ?? p?.querySelector<HTMLElement>(ITEMS) ?? p?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
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
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!open) return;
    if (e.key === "Escape") {
      e.stopPropagation();
      close();
      return;
    }
    const target = e.target as HTMLElement;
    if (!panel.current?.contains(target)) return;
    if (target.tagName === "SELECT" || target.tagName === "INPUT" && (target as HTMLInputElement).type !== "checkbox") {
      e.stopPropagation(); // the field's own keys; never the page's shortcuts
      return;
    }
    if (!["ArrowDown", "ArrowUp", "Home", "End", "ArrowLeft", "ArrowRight", " ", "k", "m", "f", "c"].includes(e.key)) return;
    e.stopPropagation();
    const items = [...panel.current.querySelectorAll<HTMLElement>(`${ITEMS}, ${FOCUSABLE}`)].filter((x, i, a) => a.indexOf(x) === i);
    if (items.length === 0) return;
    const i = items.indexOf(target);
    let j = -1;
    if (e.key === "ArrowDown") j = (i + 1) % items.length;
    else if (e.key === "ArrowUp") j = (i - 1 + items.length) % items.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = items.length - 1;
    if (j >= 0) {
      e.preventDefault();
      items[j].focus();
    }
  };
  return (
    <div className="menu" ref={ref} onKeyDown={onKeyDown}>
      <button ref={btn} type="button" className="btn btn--sm" aria-haspopup="true" aria-expanded={open} aria-controls={open ? id : undefined}
        aria-label={label} title={label} data-testid={testId} onClick={() => setOpen((o) => !o)}>
        {icon}{text ? <span>{text}</span> : null}
      </button>
      {open && (
        <div id={id} ref={panel} className="menu__panel" role="group" aria-label={label} data-testid={testId ? `${testId}-panel` : undefined}>
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
