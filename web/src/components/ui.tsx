import { useEffect, useRef, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { ApiError } from "../api/client";
import { stateLabel } from "./format";

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={v}>
      <div style={{ width: `${v}%` }} />
    </div>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className="badge badge--state" data-state={state} data-testid="job-state">{stateLabel(state)}</span>;
}

/** The gold ON AIR badge: only rendered while the channel really has something on air. */
export function OnAirBadge() {
  return (
    <span className="onair" role="status" aria-label="On air" data-testid="on-air">
      <span className="onair__dot" aria-hidden="true" /> ON AIR
    </span>
  );
}

/** Turns an API field name in a server message into words ("field 'at' is in the past"). */
export function humanMessage(msg: string): string {
  const fields: Record<string, string> = {
    at: "The time", time: "The time", content_id: "The item", prompt: "The prompt", title: "The title",
    items: "The playlist", scheduled_slots: "A slot", days: "The days", slug: "The channel address", name: "The name",
  };
  return msg.replace(/^field '([\w.[\]]+)'/, (_m, f: string) => fields[f.replace(/\[.*$/, "").split(".").pop() ?? f] ?? `The ${f.replace(/_/g, " ")}`);
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const msg = error instanceof Error ? error.message : String(error);
  return <p className="alert" role="alert">{humanMessage(msg)}</p>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** True when a query failed because the thing does not exist (HTTP 404). */
export const isNotFound = (e: unknown) => e instanceof ApiError && e.status === 404;

/** A page for an id that does not exist: a heading, what happened, and a way back. */
export function NotFound({ what, back, backLabel }: { what: string; back: string; backLabel: string }) {
  return (
    <div className="empty" data-testid="not-found">
      <h1>{what} not found</h1>
      <p>It may have been deleted, or the link is wrong.</p>
      <Link className="btn btn--primary" to={back}>{backLabel}</Link>
    </div>
  );
}

/** Copies a text to the clipboard and says so. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<"" | "ok" | "fail">("");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone("ok");
    } catch {
      setDone("fail");
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setDone(""), 2500);
  };
  return (
    <span className="row" style={{ gap: "var(--space-1)" }}>
      <button type="button" className="btn btn--sm" onClick={() => void copy()} aria-label={`Copy ${label}`}>Copy</button>
      <span className="small muted" role="status">{done === "ok" ? "Copied" : done === "fail" ? "Select and copy by hand" : ""}</span>
    </span>
  );
}
