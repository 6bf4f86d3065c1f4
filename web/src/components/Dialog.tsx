import { useEffect, useRef, type ReactNode } from "react";

/** A modal confirmation dialog on the native <dialog> (focus trap and Esc for free). */
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
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal?.();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dlg-title" onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <h2 id="dlg-title" className="h3">{props.title}</h2>
      <div className="stack">{props.children}</div>
      <div className="row" style={{ justifyContent: "flex-end", marginTop: "var(--space-4)" }}>
        <button type="button" className="btn btn--ghost" onClick={props.onCancel} autoFocus>Cancel</button>
        <button type="button" className={`btn ${props.danger ? "btn--danger" : "btn--cta"}`} onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}
