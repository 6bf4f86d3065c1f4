import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatDuration } from "../../components/format";
import "./wiki.css";
import { provenance, wikiApi, wikiKeys } from "./api";

/**
 * The item page's entity list: each name with where it is spoken and what its fact says (or
 * why there is none), a Remove button per name and a form to add one.
 */
export function EntityPanel({ contentId }: { contentId: number }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: wikiKeys.entities(contentId), queryFn: () => wikiApi.entities(contentId), retry: false });
  const [name, setName] = useState("");
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: wikiKeys.entities(contentId) });
    void qc.invalidateQueries({ queryKey: wikiKeys.facts(contentId) });
  };
  const add = useMutation({ mutationFn: (n: string) => wikiApi.addEntity(contentId, n), onSuccess: () => { setName(""); refresh(); } });
  const remove = useMutation({ mutationFn: (n: string) => wikiApi.removeEntity(contentId, n), onSuccess: refresh });
  const error = (list.error ?? add.error ?? remove.error) as Error | null;
  return (
    <section className="card stack" aria-labelledby="entities-h" data-testid="entities">
      <h2 id="entities-h">Entities</h2>
      {list.data?.source === "none" && <p className="small muted">Facts are off: set [wiki] zim or online in beacon.toml.</p>}
      {error && <p className="alert" role="alert">{error.message}</p>}
      {list.isLoading && <p className="muted small">Loading…</p>}
      {list.data && list.data.items.length === 0 && <p className="muted small">No entities yet.</p>}
      <ul className="stack wiki-entities">
        {list.data?.items.map((e) => (
          <li key={e.name} className="row row--between" data-testid="entity">
            <div>
              <strong>{e.name}</strong>
              <span className="small muted">
                {e.spans.length > 0 ? ` · at ${e.spans.map((s) => formatDuration(s.start)).join(", ")}` : " · not spoken"}
                {e.fact ? (e.fact.resolved ? ` · ${e.fact.title} (${provenance(e.fact.source)})` : e.fact.ambiguous ? " · ambiguous" : " · no article") : ""}
                {e.added_by === "user" ? " · added by you" : ""}
              </span>
            </div>
            <button type="button" className="btn" disabled={remove.isPending}
              aria-label={`Remove ${e.name}`} onClick={() => remove.mutate(e.name)}>Remove</button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={(ev) => { ev.preventDefault(); if (name.trim()) add.mutate(name.trim()); }}>
        <label className="visually-hidden" htmlFor="entity-add">Add an entity</label>
        <input id="entity-add" className="input" value={name} maxLength={200} placeholder="Add an entity"
          onChange={(ev) => setName(ev.target.value)} data-testid="entity-add" />
        <button type="submit" className="btn" disabled={!name.trim() || add.isPending}>Add</button>
      </form>
    </section>
  );
}
