import { useState } from "react";
import { useNavigate } from "react-router";
import { partyApi } from "./api";

/** Starts a party on a library item or a channel and opens it (the "Watch together" button). */
export function WatchTogetherButton({ contentId, channel }: { contentId?: number; channel?: string }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const p = await partyApi.create(contentId ? { content_id: contentId } : { channel: channel ?? "" });
      navigate(`/party/${p.id}?invite=${encodeURIComponent(p.invite_token)}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn" onClick={start} disabled={busy} data-testid="watch-together">Watch together</button>
      {error && <span className="small alert" role="alert">{error}</span>}
    </>
  );
}
