// SQLite backend: library rows, deferred object deletes and assets
// (storage::ContentStore, storage::AssetStore).
#include "storage/sqlite_backend.hpp"

namespace beacon::storage::sqlite_backend {

Result<core::Content> SqliteDatabase::CreateContent(const core::Content& c) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    auto now = core::NowMillis();
    Statement s(conn,
                "INSERT INTO content(owner_id, job_id, title, description, prompt, mp4_key, "
                "hls_key, thumbnail_key, poster_key, preview_key, vtt_key, chapters_key, duration, "
                "languages, published, visibility, transcript, script, entities, created_at, "
                "updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    BindContent(s, c);
    s.Bind(20, now).Bind(21, now);
    BEACON_CHECK(s.Run());
    return ContentById(conn, sqlite3_last_insert_rowid(conn.db));
}

Status SqliteDatabase::UpdateContent(const core::Content& c) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn,
                "UPDATE content SET owner_id=?, job_id=?, title=?, description=?, prompt=?, "
                "mp4_key=?, hls_key=?, thumbnail_key=?, poster_key=?, preview_key=?, vtt_key=?, "
                "chapters_key=?, duration=?, languages=?, published=?, visibility=?, "
                "transcript=?, script=?, entities=?, updated_at=? WHERE id=?");
    BindContent(s, c);
    s.Bind(20, core::NowMillis()).Bind(21, c.id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no content " + std::to_string(c.id));
    return {};
}

Result<core::Content> SqliteDatabase::BeginJobContent(std::int64_t job_id, const core::Content& c) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    return InTransaction(conn, [&]() -> Result<core::Content> {
        BEACON_TRY(job, JobById(conn, job_id));
        if (job.content_id) {
            auto mine = ContentById(conn, *job.content_id, /*include_pending=*/true);
            if (mine.ok() || mine.error().code != core::ErrorCode::kNotFound) return mine;
        }
        auto now = core::NowMillis();
        Statement s(conn,
                    "INSERT INTO content(owner_id, job_id, title, description, prompt, "
                    "mp4_key, hls_key, thumbnail_key, poster_key, preview_key, vtt_key, "
                    "chapters_key, duration, languages, published, visibility, transcript, script, "
                    "entities, "
                    "created_at, updated_at, pending) "
                    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)");
        BindContent(s, c);
        s.Bind(20, now).Bind(21, now);
        BEACON_CHECK(s.Run());
        const std::int64_t id = sqlite3_last_insert_rowid(conn.db);
        Statement j(conn, "UPDATE jobs SET content_id = ?, updated_at = ? WHERE id = ?");
        j.Bind(1, id).Bind(2, now).Bind(3, job_id);
        BEACON_CHECK(j.Run());
        return ContentById(conn, id, /*include_pending=*/true);
    });
}

Status SqliteDatabase::CompleteJobContent(std::int64_t job_id, const core::Content& c) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    return InTransaction(conn, [&]() -> Status {
        Statement s(conn,
                    "UPDATE content SET owner_id=?, job_id=?, title=?, description=?, "
                    "prompt=?, mp4_key=?, hls_key=?, thumbnail_key=?, poster_key=?, preview_key=?, "
                    "vtt_key=?, chapters_key=?, duration=?, languages=?, published=?, "
                    "visibility=?, transcript=?, script=?, entities=?, updated_at=?, "
                    "pending=0 WHERE id=?");
        BindContent(s, c);
        s.Bind(20, core::NowMillis()).Bind(21, c.id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) {
            return Error::NotFound("no content " + std::to_string(c.id));
        }
        Statement a(conn, "UPDATE assets SET content_id = ? WHERE job_id = ?");
        a.Bind(1, c.id).Bind(2, job_id);
        return a.Run();
    });
}

Result<core::Content> SqliteDatabase::GetContent(std::int64_t id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return ContentById(conn, id);
}

Result<Page<core::Content>> SqliteDatabase::ListContent(const ContentQuery& q) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    std::string fts = FtsQuery(q.search);
    std::string where = " WHERE pending = 0";
    if (!fts.empty())
        where += " AND id IN (SELECT rowid FROM content_fts WHERE content_fts MATCH ?)";
    if (q.published) where += " AND published = ?";
    if (q.visibility) where += " AND visibility = ?";
    if (q.language)
        where += " AND EXISTS (SELECT 1 FROM json_each(content.languages) WHERE value = ?)";
    std::string order = q.sort == "oldest"     ? "created_at ASC, id ASC"
                        : q.sort == "title"    ? "title COLLATE NOCASE ASC, id DESC"
                        : q.sort == "duration" ? "duration DESC, id DESC"
                                               : "created_at DESC, id DESC";
    auto bind = [&](Statement& s) {
        int i = 1;
        if (!fts.empty()) s.Bind(i++, fts);
        if (q.published) s.Bind(i++, *q.published);
        if (q.visibility) s.Bind(i++, core::ToString(*q.visibility));
        if (q.language) s.Bind(i++, *q.language);
        return i;
    };
    Page<core::Content> page;
    {
        Statement c(conn, "SELECT COUNT(*) FROM content" + where);
        bind(c);
        BEACON_TRY(row, c.Step());
        page.total = row ? c.Int(0) : 0;
    }
    Statement s(conn, std::string("SELECT ") + kContentColumns + " FROM content" + where +
                          " ORDER BY " + order + " LIMIT ? OFFSET ?");
    int i = bind(s);
    s.Bind(i, std::clamp(q.limit, 1, 500));
    s.Bind(i + 1, std::max<std::int64_t>(0, q.offset));
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        page.items.push_back(ReadContent(s));
    }
    return page;
}

Result<core::Content> SqliteDatabase::PatchContent(std::int64_t id, const ContentPatch& p) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    BEACON_TRY(c, ContentById(conn, id));
    if (p.title) c.title = *p.title;
    if (p.description) c.description = *p.description;
    if (p.visibility) c.visibility = *p.visibility;
    if (p.published) c.published = *p.published;
    Statement s(conn,
                "UPDATE content SET title=?, description=?, visibility=?, published=?, "
                "updated_at=? WHERE id=?");
    s.Bind(1, c.title)
        .Bind(2, c.description)
        .Bind(3, core::ToString(c.visibility))
        .Bind(4, c.published);
    s.Bind(5, core::NowMillis()).Bind(6, id);
    BEACON_CHECK(s.Run());
    return ContentById(conn, id);
}

Status SqliteDatabase::DeleteContent(std::int64_t id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    return InTransaction(conn, [&] { return DeleteContentLocked(conn, id); });
}

Result<int> SqliteDatabase::SweepAbandonedContent() {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    return InTransaction(conn, [&] { return SweepAbandonedLocked(conn); });
}

Status SqliteDatabase::ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "INSERT INTO object_deletes(prefix, due_at) VALUES(?, ?)");
    s.Bind(1, prefix).Bind(2, due_at);
    return s.Run();
}

Result<std::vector<std::string>> SqliteDatabase::TakeDueObjectDeletes(core::UnixMillis now) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    return InTransaction(conn, [&]() -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        Statement s(conn, "SELECT prefix FROM object_deletes WHERE due_at <= ? ORDER BY due_at");
        s.Bind(1, now);
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            out.push_back(s.Text(0));
        }
        Statement d(conn, "DELETE FROM object_deletes WHERE due_at <= ? AND taken = 1");
        d.Bind(1, now);
        BEACON_CHECK(d.Run());
        Statement again(conn, "UPDATE object_deletes SET taken = 1, due_at = ? WHERE due_at <= ?");
        again.Bind(1, now + kObjectDeleteRetakeMs).Bind(2, now);
        BEACON_CHECK(again.Run());
        return out;
    });
}

Result<core::Asset> SqliteDatabase::AddAsset(const core::Asset& a) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn,
                "INSERT INTO assets(job_id, content_id, kind, hash, key, mime, size, engine, "
                "model, parameters, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(1, a.job_id)
        .Bind(2, a.content_id)
        .Bind(3, core::ToString(a.kind))
        .Bind(4, a.hash)
        .Bind(5, a.key);
    s.Bind(6, a.mime).Bind(7, a.size).Bind(8, a.engine).Bind(9, a.model);
    s.Bind(10, a.parameters.dump()).Bind(11, core::NowMillis());
    BEACON_CHECK(s.Run());
    Statement g(conn, std::string("SELECT ") + kAssetColumns + " FROM assets WHERE id = ?");
    g.Bind(1, static_cast<std::int64_t>(sqlite3_last_insert_rowid(conn.db)));
    BEACON_TRY(row, g.Step());
    if (!row) return Error::Internal("asset vanished after insert");
    return ReadAsset(g);
}

Result<std::vector<core::Asset>> SqliteDatabase::ListAssetsForJob(std::int64_t job_id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return AssetsWhere(conn, "job_id = ?", job_id);
}

Result<std::vector<core::Asset>> SqliteDatabase::ListAssetsForContent(std::int64_t content_id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return AssetsWhere(conn, "content_id = ?", content_id);
}

Result<std::optional<core::Asset>> SqliteDatabase::FindAssetByHash(const std::string& hash) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn, std::string("SELECT ") + kAssetColumns +
                          " FROM assets WHERE hash = ? ORDER BY id DESC LIMIT 1");
    s.Bind(1, hash);
    BEACON_TRY(row, s.Step());
    if (!row) return std::optional<core::Asset>();
    return std::optional<core::Asset>(ReadAsset(s));
}

Status SqliteDatabase::LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "UPDATE assets SET content_id = ? WHERE job_id = ?");
    s.Bind(1, content_id).Bind(2, job_id);
    return s.Run();
}

void SqliteDatabase::BindContent(Statement& s, const core::Content& c) {
    s.Bind(1, c.owner_id).Bind(2, c.job_id).Bind(3, c.title).Bind(4, c.description);
    s.Bind(5, c.prompt).Bind(6, c.mp4_key).Bind(7, c.hls_key).Bind(8, c.thumbnail_key);
    s.Bind(9, c.poster_key).Bind(10, c.preview_key).Bind(11, c.vtt_key).Bind(12, c.chapters_key);
    s.Bind(13, c.duration).Bind(14, Json(c.languages).dump()).Bind(15, c.published);
    s.Bind(16, core::ToString(c.visibility)).Bind(17, c.transcript).Bind(18, c.script.dump());
    s.Bind(19, c.entities.dump());
}

Status SqliteDatabase::DeleteContentLocked(sqlite::Connection& conn, std::int64_t id) {
    Statement s(conn, "DELETE FROM content WHERE id = ?");
    s.Bind(1, id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no content " + std::to_string(id));
    Statement a(conn, "UPDATE assets SET content_id = NULL WHERE content_id = ?");
    a.Bind(1, id);
    BEACON_CHECK(a.Run());
    Statement j(conn, "UPDATE jobs SET content_id = NULL WHERE content_id = ?");
    j.Bind(1, id);
    return j.Run();
}

Result<int> SqliteDatabase::SweepAbandonedLocked(sqlite::Connection& conn) {
    std::vector<std::int64_t> ids;
    {
        Statement s(conn, std::string("SELECT id FROM content WHERE ") + kAbandonedContent);
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            ids.push_back(s.Int(0));
        }
    }
    const auto now = core::NowMillis();
    for (std::int64_t id : ids) {
        BEACON_CHECK(DeleteContentLocked(conn, id));
        Statement d(conn, "INSERT INTO object_deletes(prefix, due_at) VALUES(?, ?)");
        d.Bind(1, "library/" + std::to_string(id) + "/").Bind(2, now);
        BEACON_CHECK(d.Run());
    }
    return static_cast<int>(ids.size());
}

Result<core::Content> SqliteDatabase::ContentById(sqlite::Connection& conn, std::int64_t id,
                                                  bool include_pending) {
    Statement s(conn, std::string("SELECT ") + kContentColumns + " FROM content WHERE id = ?" +
                          (include_pending ? "" : " AND pending = 0"));
    s.Bind(1, id);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no content " + std::to_string(id));
    return ReadContent(s);
}

Result<std::vector<core::Asset>> SqliteDatabase::AssetsWhere(sqlite::Connection& conn,
                                                             const char* cond, std::int64_t v) {
    Statement s(conn, std::string("SELECT ") + kAssetColumns + " FROM assets WHERE " + cond +
                          " ORDER BY id");
    s.Bind(1, v);
    std::vector<core::Asset> out;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(ReadAsset(s));
    }
    return out;
}

}  // namespace beacon::storage::sqlite_backend
