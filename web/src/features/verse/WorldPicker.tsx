import { useQuery } from "@tanstack/react-query";
import { verseApi } from "./api";

/** A world for a generation's backdrop (issue 17 item 5): none, or one of the caller's worlds and a camera move. */
export interface WorldChoice {
  id: number | null;
  camera: "orbit" | "static" | "dolly" | "rise";
}

const CAMERAS: Record<WorldChoice["camera"], string> = {
  orbit: "Orbit round the world",
  static: "The world's saved camera",
  dolly: "Move in",
  rise: "Orbit and rise",
};

/** The request fields for a choice: none without a world. */
export function worldFields(c: WorldChoice): { world_id?: number; world_camera?: WorldChoice["camera"] } {
  return c.id ? { world_id: c.id, world_camera: c.camera } : {};
}

/** The Create form's "World" picker: lists the caller's worlds (Verse). */
export function WorldPicker({ value, onChange }: { value: WorldChoice; onChange: (c: WorldChoice) => void }) {
  const worlds = useQuery({ queryKey: ["verse", "worlds"], queryFn: verseApi.list, staleTime: 30_000 });
  const items = worlds.data?.items ?? [];
  const missing = value.id !== null && worlds.isSuccess && !items.some((w) => w.id === value.id);
  return (
    <div className="grid-2">
      <label className="field">
        <span>World (backdrop)</span>
        <select className="input" name="world" data-testid="create-world" value={value.id ?? ""}
          onChange={(e) => onChange({ ...value, id: e.target.value ? Number(e.target.value) : null })}>
          <option value="">None: pictures from the picture engine</option>
          {items.map((w) => <option key={w.id} value={w.id}>{w.title}</option>)}
          {missing && <option value={value.id!}>World {value.id} (not found)</option>}
        </select>
      </label>
      {value.id !== null && (
        <label className="field">
          <span>Camera</span>
          <select className="input" name="world_camera" data-testid="create-world-camera" value={value.camera}
            onChange={(e) => onChange({ ...value, camera: e.target.value as WorldChoice["camera"] })}>
            {Object.entries(CAMERAS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
      )}
      {worlds.isError && <p className="small muted">Your worlds could not be listed.</p>}
    </div>
  );
}
