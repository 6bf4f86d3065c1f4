import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { ProgressBar, Empty, ErrorNote } from "../../components/ui";
import { arcadeKeys, gamesApi, uploadGame, type Game } from "./api";

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1 << 20)).toFixed(1)} MB`;
}

/** The Arcade: a grid of uploaded HTML5 games and the upload dialog. */
export function ArcadePage() {
  const list = useQuery({ queryKey: arcadeKeys.all, queryFn: gamesApi.list });
  const [uploading, setUploading] = useState(false);
  return (
    <section className="stack" data-testid="arcade-page">
      <div className="page-head row row--between">
        <h1>Arcade</h1>
        <button type="button" className="btn btn--cta" onClick={() => setUploading(true)} data-testid="arcade-upload-open">
          Upload a game
        </button>
      </div>
      <p className="muted">
        HTML5 games run on their own origin in a sandboxed frame: they cannot see your studio, its cookies or its API.
      </p>
      <ErrorNote error={list.error} />
      {list.data && list.data.items.length === 0 && (
        <Empty>
          <p>No games yet. Upload a .zip with an <code>index.html</code> at its top.</p>
        </Empty>
      )}
      <div className="lib-grid" data-testid="arcade-grid" aria-busy={list.isFetching}>
        {list.data?.items.map((g) => <GameTile key={g.id} game={g} />)}
      </div>
      <UploadDialog open={uploading} onClose={() => setUploading(false)} />
    </section>
  );
}

function GameTile({ game }: { game: Game }) {
  return (
    <article className="tile" data-testid="arcade-game" aria-labelledby={`g-${game.id}`}>
      <Link to={`/arcade/${game.id}`} className="tile__thumb" aria-hidden="true" tabIndex={-1}>
        {game.cover_url ? (
          <img src={game.cover_url} alt="" loading="lazy" />
        ) : (
          <span style={{ display: "grid", placeItems: "center", height: "100%", fontSize: "3rem", fontWeight: 700 }}>
            {game.title.slice(0, 1).toUpperCase()}
          </span>
        )}
      </Link>
      <div className="tile__body">
        <Link id={`g-${game.id}`} to={`/arcade/${game.id}`} className="tile__title">{game.title}</Link>
        <p className="muted small">
          v{game.version} · {game.files} files · {formatBytes(game.bytes)}
        </p>
      </div>
    </article>
  );
}

/** Upload with progress; the server's refusal (a hostile or broken zip) is shown in words. */
function UploadDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [cover, setCover] = useState<File | null>(null);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [entry, setEntry] = useState("");
  const [progress, setProgress] = useState(0);
  const abort = useRef<(() => void) | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    if (!open && d.open) d.close();
  }, [open]);
  const upload = useMutation({
    mutationFn: () => {
      if (!file) throw new Error("Choose the game's .zip first.");
      setProgress(0);
      const u = uploadGame(file, { title: title.trim() || file.name.replace(/\.zip$/i, ""), description, entry, cover }, setProgress);
      abort.current = u.abort;
      return u.promise;
    },
    onSuccess: (game) => {
      void qc.invalidateQueries({ queryKey: arcadeKeys.all });
      close();
      navigate(`/arcade/${game.id}`);
    },
    onSettled: () => {
      abort.current = null;
    },
  });
  const close = () => {
    abort.current?.();
    setFile(null);
    setCover(null);
    setTitle("");
    setDescription("");
    setEntry("");
    upload.reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    upload.mutate();
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} data-testid="arcade-upload" onCancel={(e) => { e.preventDefault(); close(); }}>
      <h2 id={titleId} className="h3">Upload a game</h2>
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>Game (.zip with index.html)</span>
          <input type="file" accept=".zip,application/zip" required data-testid="arcade-file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <label className="field">
          <span>Title</span>
          <input className="input" value={title} maxLength={200} placeholder={file?.name.replace(/\.zip$/i, "") ?? ""}
            onChange={(e) => setTitle(e.target.value)} data-testid="arcade-title" />
        </label>
        <label className="field">
          <span>Description (optional)</span>
          <textarea className="input" value={description} maxLength={4000} rows={2} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label className="field">
          <span>Cover picture (optional: PNG, JPEG, GIF or WebP)</span>
          <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => setCover(e.target.files?.[0] ?? null)} />
        </label>
        <label className="field">
          <span>Start page (optional, default index.html)</span>
          <input className="input" value={entry} placeholder="index.html" onChange={(e) => setEntry(e.target.value)} />
        </label>
        {upload.isPending && <ProgressBar value={progress * 100} label={progress < 1 ? "Uploading" : "Checking the game"} />}
        {upload.isError && (
          <p className="error-text" role="alert" data-testid="arcade-upload-error">
            {(upload.error as Error).message}
          </p>
        )}
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button type="button" className="btn btn--ghost" onClick={close}>Cancel</button>
          <button type="submit" className="btn btn--cta" disabled={!file || upload.isPending} data-testid="arcade-upload-submit">
            {upload.isPending ? "Uploading…" : "Upload"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
