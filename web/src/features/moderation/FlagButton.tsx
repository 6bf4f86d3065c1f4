import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorNote } from "../../components/ui";
import { moderationApi, moderationKeys } from "./api";

/**
 * The item page's moderation line: the review state, and Flag (with a reason; the item leaves
 * LiveLoop and becomes private until someone approves it on the Review page).
 */
export function FlagButton({ contentId }: { contentId: number }) {
  const qc = useQueryClient();
  const review = useQuery({ queryKey: moderationKeys.review(contentId), queryFn: () => moderationApi.review(contentId) });
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const flag = useMutation({
    mutationFn: () => moderationApi.flag(contentId, reason.trim()),
    onSuccess: () => {
      setOpen(false);
      setReason("");
      void qc.invalidateQueries({ queryKey: ["moderation"] });
      void qc.invalidateQueries({ queryKey: ["content"] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim()) flag.mutate();
  };
  const state = review.data?.state;
  return (
    <div className="stack" data-testid="moderation">
      <div className="row row--between">
        <span className="small" data-testid="review-state">
          {state === "flagged" ? `Flagged for review: ${review.data?.reason}` : state === "approved" ? "Reviewed" : "Not reviewed yet"}
        </span>
        {!open && <button type="button" className="btn btn--sm" onClick={() => setOpen(true)}>Flag</button>}
      </div>
      {open && (
        <form className="row" onSubmit={submit}>
          <label className="field" style={{ flex: 1 }}><span>Reason</span>
            <input className="input" name="reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus /></label>
          <button type="submit" className="btn btn--sm btn--danger" disabled={!reason.trim() || flag.isPending}>Flag item</button>
          <button type="button" className="btn btn--sm btn--ghost" onClick={() => setOpen(false)}>Cancel</button>
        </form>
      )}
      <ErrorNote error={flag.error} />
    </div>
  );
}
