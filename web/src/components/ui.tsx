import type { ReactNode } from "react";
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

export function OnAirBadge({ live = true }: { live?: boolean }) {
  return (
    <span className="onair" role="status" aria-label={live ? "On air" : "Off air"}>
      <span className="onair__dot" aria-hidden="true" /> {live ? "ON AIR" : "OFF AIR"}
    </span>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const msg = error instanceof Error ? error.message : String(error);
  return <p className="alert" role="alert">{msg}</p>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
