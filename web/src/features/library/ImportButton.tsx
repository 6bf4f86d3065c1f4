import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { api } from "../../api/client";
import { qk } from "../../api/keys";

/** Uploads a file to POST /api/v1/import (multipart); the answer's refusal is shown in words. */
export async function uploadImport(file: File, title = ""): Promise<{ job_id: number }> {
  const form = new FormData();
  form.append("file", file, file.name);
  if (title) form.append("title", title);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (api.csrfToken) headers["X-CSRF-Token"] = api.csrfToken;
  const res = await fetch("/api/v1/import", { method: "POST", body: form, headers, credentials: "same-origin" });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `import failed with HTTP ${res.status}`);
  return body as { job_id: number };
}

/**
 * The Library's Import button: pick an audio or video file; it becomes an import job (its
 * progress shows in Jobs) and then a library item. What is not media is refused at once.
 */
export function ImportButton() {
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<{ busy: boolean; note: string; error: string }>({ busy: false, note: "", error: "" });
  const onPick = async (file: File | undefined) => {
    if (!file) return;
    setState({ busy: true, note: `Uploading ${file.name}…`, error: "" });
    try {
      const r = await uploadImport(file);
      setState({ busy: false, note: `Importing ${file.name} (job #${r.job_id}); it appears here when done.`, error: "" });
      void qc.invalidateQueries({ queryKey: qk.jobsAll });
    } catch (e) {
      setState({ busy: false, note: "", error: (e as Error).message });
    }
    if (input.current) input.current.value = "";
  };
  return (
    <div className="row" data-testid="import">
      <input ref={input} type="file" accept="video/*,audio/*" hidden aria-label="File to import" onChange={(e) => void onPick(e.target.files?.[0])} />
      <button type="button" className="btn btn--sm" disabled={state.busy} onClick={() => input.current?.click()}>Import</button>
      {state.note && <span className="small" role="status">{state.note}</span>}
      {state.error && <span className="small" role="alert">{state.error}</span>}
    </div>
  );
}
