import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal confirmation dialog on the native <dialog> (focus trap and Esc for free); a click on
 * the backdrop cancels it too.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      d.showModal?.();
      // The safe choice has focus when it opens (not on mount: a closed dialog takes no focus).
      cancel.current?.focus();
    }
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} data-testid="dialog"
      onCancel={(e) => { e.preventDefault(); props.onCancel(); }}
      onClick={(e) => {
        // Clicks on the dialog's own box (not its content) land outside the card: the backdrop.
        if (e.target !== ref.current) return;
        const r = ref.current.getBoundingClientRect();
        const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
        if (!inside || (e.clientX === 0 && e.clientY === 0 && r.width === 0)) props.onCancel();
      }}>
      <h2 id={titleId} className="h3">{props.title}</h2>
      <div className="stack">{props.children}</div>
      <div className="row" style={{ justifyContent: "flex-end", marginTop: "var(--space-4)" }}>
        <button ref={cancel} type="button" className="btn btn--ghost" onClick={props.onCancel}>Cancel</button>
        <button type="button" className={`btn ${props.danger ? "btn--danger" : "btn--cta"}`} onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}
