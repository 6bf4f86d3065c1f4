import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { qk } from "../../api/keys";
import { upload, type Uploaded } from "../../api/upload";

/** Uploads a file to POST /api/v1/import (multipart); the answer's refusal is shown in words. */
export function uploadImport(file: File, title = ""): Promise<Uploaded<"/api/v1/import">> {
  const form = new FormData();
  form.append("file", file, file.name);
  if (title) form.append("title", title);
  return upload("/api/v1/import", undefined, form, () => {}).promise;
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
