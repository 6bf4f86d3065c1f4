import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client";
import { partyApi } from "../party";

/**
 * "Play beside a video": picks a library item, starts a watch party on it and opens the party
 * with this game ready for its Picture-in-Picture window (flip between game and video, the
 * game's sound ducked while the video speaks; see docs/party.md).
 */
export function PlayBeside({ playUrl }: { playUrl: string }) {
  const navigate = useNavigate();
  const items = useQuery({ queryKey: ["content", { limit: 50, for: "play-beside" }], queryFn: () => api.content({ limit: 50 }) });
  const [choice, setChoice] = useState<number | "">("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    if (choice === "") return;
    setBusy(true);
    setError(null);
    try {
      const p = await partyApi.create({ content_id: choice });
      navigate(`/party/${p.id}?invite=${encodeURIComponent(p.invite_token)}&game=${encodeURIComponent(playUrl)}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  const list = items.data?.items ?? [];
  if (items.isSuccess && list.length === 0) return null;
  return (
    <div className="row" data-testid="arcade-beside">
      <label className="field" style={{ margin: 0 }}>
        <span className="small">Play beside a video</span>
        <select className="input" value={choice} onChange={(e) => setChoice(e.target.value ? Number(e.target.value) : "")} data-testid="arcade-beside-item">
          <option value="">Choose a video…</option>
          {list.map((c) => <option key={c.id} value={c.id}>{c.title || `Item ${c.id}`}</option>)}
        </select>
      </label>
      <button type="button" className="btn" disabled={choice === "" || busy} onClick={() => void start()} data-testid="arcade-beside-start">Open with Picture-in-Picture</button>
      {error && <span className="small alert" role="alert">{error}</span>}
    </div>
  );
}
