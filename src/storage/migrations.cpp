#include "storage/migrations.hpp"

namespace beacon::storage {

const std::vector<std::string_view>& SqliteMigrations() {
    static const std::vector<std::string_view> kMigrations = {
        // 1: the brief's job, content and playlist tables plus users, sessions, tokens, assets,
        //    job logs, and the library's full-text index. Ids that name object-store folders
        //    (jobs/<id>/, library/<id>/) are AUTOINCREMENT: never reused after a delete.
        R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL DEFAULT '',
  stream_key TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  prompt_text TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  style TEXT NOT NULL DEFAULT '',
  voice TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT 'en',
  duration_target REAL NOT NULL DEFAULT 7,
  output_preset TEXT NOT NULL DEFAULT '720p',
  produce_preview INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL DEFAULT 'queued',
  progress INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  preview_url TEXT NOT NULL DEFAULT '',
  final_url TEXT NOT NULL DEFAULT '',
  thumbnail_url TEXT NOT NULL DEFAULT '',
  vtt_url TEXT NOT NULL DEFAULT '',
  error_log TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  run_after INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  content_id INTEGER,
  stages TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX jobs_claim ON jobs(status, run_after);
CREATE TABLE job_logs (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  stage TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL DEFAULT 'info',
  message TEXT NOT NULL
);
CREATE INDEX job_logs_job ON job_logs(job_id, id);
CREATE TABLE content (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id INTEGER NOT NULL,
  job_id INTEGER,
  title TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  prompt TEXT NOT NULL DEFAULT '',
  mp4_url TEXT NOT NULL DEFAULT '',
  hls_url TEXT NOT NULL DEFAULT '',
  thumbnail TEXT NOT NULL DEFAULT '',
  poster TEXT NOT NULL DEFAULT '',
  preview_url TEXT NOT NULL DEFAULT '',
  vtt_url TEXT NOT NULL DEFAULT '',
  chapters_url TEXT NOT NULL DEFAULT '',
  duration REAL NOT NULL DEFAULT 0,
  languages TEXT NOT NULL DEFAULT '[]',
  published INTEGER NOT NULL DEFAULT 0,
  visibility TEXT NOT NULL DEFAULT 'private',
  transcript TEXT NOT NULL DEFAULT '',
  script TEXT NOT NULL DEFAULT '{}',
  entities TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE VIRTUAL TABLE content_fts USING fts5(
  title, description, prompt, transcript, content='content', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER content_ai AFTER INSERT ON content BEGIN
  INSERT INTO content_fts(rowid, title, description, prompt, transcript)
  VALUES (new.id, new.title, new.description, new.prompt, new.transcript);
END;
CREATE TRIGGER content_ad AFTER DELETE ON content BEGIN
  INSERT INTO content_fts(content_fts, rowid, title, description, prompt, transcript)
  VALUES ('delete', old.id, old.title, old.description, old.prompt, old.transcript);
END;
CREATE TRIGGER content_au AFTER UPDATE ON content BEGIN
  INSERT INTO content_fts(content_fts, rowid, title, description, prompt, transcript)
  VALUES ('delete', old.id, old.title, old.description, old.prompt, old.transcript);
  INSERT INTO content_fts(rowid, title, description, prompt, transcript)
  VALUES (new.id, new.title, new.description, new.prompt, new.transcript);
END;
CREATE TABLE assets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id INTEGER,
  content_id INTEGER,
  kind TEXT NOT NULL,
  hash TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL DEFAULT '',
  mime TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  engine TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  parameters TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);
CREATE INDEX assets_hash ON assets(hash);
CREATE INDEX assets_job ON assets(job_id);
CREATE INDEX assets_content ON assets(content_id);
CREATE TABLE playlists (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  items TEXT NOT NULL DEFAULT '[]',
  loop_mode TEXT NOT NULL DEFAULT 'in_order',
  active INTEGER NOT NULL DEFAULT 1,
  hls_endpoint TEXT NOT NULL DEFAULT '',
  scheduled_slots TEXT NOT NULL DEFAULT '[]',
  inserts TEXT NOT NULL DEFAULT '[]',
  state TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql",
        // 2: deferred deletion of object-store prefixes (media still on a channel's air).
        R"sql(
CREATE TABLE object_deletes (
  prefix TEXT NOT NULL,
  due_at INTEGER NOT NULL
);
CREATE INDEX object_deletes_due ON object_deletes(due_at);
)sql",
        // 3: a library row is "pending" while its job composes it (invisible to every list and
        //    lookup until its files are in place). Rows left without media by a crash in an
        //    earlier version are such rows; the sweep after migrating removes the abandoned ones.
        R"sql(
ALTER TABLE content ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
UPDATE content SET pending = 1 WHERE mp4_url = '';
)sql",
        // 4: deferred deletions are handed out at least once (see TakeDueObjectDeletes).
        R"sql(
ALTER TABLE object_deletes ADD COLUMN taken INTEGER NOT NULL DEFAULT 0;
)sql",
        // 5: job kinds: "generate" (the brief's pipeline), "localize" (add a language to an item),
        //    "import" (package an uploaded file); params holds the kind's own request (JSON).
        R"sql(
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'generate';
ALTER TABLE jobs ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
)sql",
        // 6: batches: many prompts at once; their jobs yield to interactive ones (priority) and
        //    run at most max_parallel at a time.
        R"sql(
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  max_parallel INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
ALTER TABLE jobs ADD COLUMN batch_id INTEGER REFERENCES batches(id);
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_batch ON jobs(batch_id);
)sql",
        // 7: moderation (src/ops/moderation.cpp): an item's review state (flagged with a reason,
        //    or approved) and the audit log of publish, share, flag, approve and delete.
        R"sql(
CREATE TABLE moderation (
  content_id INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  flagged_by INTEGER NOT NULL DEFAULT 0,
  flagged_at INTEGER NOT NULL DEFAULT 0,
  reviewed_by INTEGER NOT NULL DEFAULT 0,
  reviewed_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_id INTEGER NOT NULL DEFAULT 0,
  action TEXT NOT NULL,
  content_id INTEGER NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
)sql",
        // 8: a library row stores its files' object-store keys ("library/12/video.mp4"), not
        //    "/media/<key>" URLs; the server makes the URLs when it answers (core::ToJson). The
        //    full-text index and its triggers name none of these columns.
        R"sql(
ALTER TABLE content RENAME COLUMN mp4_url TO mp4_key;
ALTER TABLE content RENAME COLUMN hls_url TO hls_key;
ALTER TABLE content RENAME COLUMN thumbnail TO thumbnail_key;
ALTER TABLE content RENAME COLUMN poster TO poster_key;
ALTER TABLE content RENAME COLUMN preview_url TO preview_key;
ALTER TABLE content RENAME COLUMN vtt_url TO vtt_key;
ALTER TABLE content RENAME COLUMN chapters_url TO chapters_key;
UPDATE content SET mp4_key = substr(mp4_key, 8)
  WHERE substr(mp4_key, 1, 7) = '/media/';
UPDATE content SET hls_key = substr(hls_key, 8)
  WHERE substr(hls_key, 1, 7) = '/media/';
UPDATE content SET thumbnail_key = substr(thumbnail_key, 8)
  WHERE substr(thumbnail_key, 1, 7) = '/media/';
UPDATE content SET poster_key = substr(poster_key, 8)
  WHERE substr(poster_key, 1, 7) = '/media/';
UPDATE content SET preview_key = substr(preview_key, 8)
  WHERE substr(preview_key, 1, 7) = '/media/';
UPDATE content SET vtt_key = substr(vtt_key, 8)
  WHERE substr(vtt_key, 1, 7) = '/media/';
UPDATE content SET chapters_key = substr(chapters_key, 8)
  WHERE substr(chapters_key, 1, 7) = '/media/';
)sql",
    };
    return kMigrations;
}

}  // namespace beacon::storage
