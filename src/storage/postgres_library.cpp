// PostgreSQL backend: library rows, deferred object deletes and assets
// (storage::ContentStore, storage::AssetStore).
#include "storage/postgres_backend.hpp"

namespace beacon::storage::postgres_backend {

Result<core::Content> PostgresDatabase::CreateContent(const core::Content& c) {
    Lease lease(*this);
    Params p = ContentParams(c);
    p.Add(core::NowMillis());
    BEACON_TRY(r, lease.conn.Query(
                      std::string(kInsertContent) + ", false) RETURNING " + kContentColumns, p));
    return ReadContent(r, 0);
}

Status PostgresDatabase::UpdateContent(const core::Content& c) {
    Lease lease(*this);
    Params p = ContentParams(c);
    p.Add(core::NowMillis()).Add(c.id);
    BEACON_TRY(r, lease.conn.Query(std::string(kUpdateContent) + " WHERE id = $21", p));
    if (r.affected() == 0) return Error::NotFound("no content " + std::to_string(c.id));
    return {};
}

Result<core::Content> PostgresDatabase::BeginJobContent(std::int64_t job_id,
                                                        const core::Content& c) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    return pg::InTransaction(conn, [&]() -> Result<core::Content> {
        BEACON_TRY(j, conn.Query("SELECT content_id FROM jobs WHERE id = $1 FOR UPDATE",
                                 Params().Add(job_id)));
        if (j.empty()) return Error::NotFound("no job " + std::to_string(job_id));
        if (auto existing = j.OptInt(0, 0)) {
            auto mine = ContentById(conn, *existing, /*include_pending=*/true);
            if (mine.ok() || mine.error().code != core::ErrorCode::kNotFound) return mine;
        }
        Params p = ContentParams(c);
        p.Add(core::NowMillis());
        BEACON_TRY(
            r, conn.Query(std::string(kInsertContent) + ", true) RETURNING " + kContentColumns, p));
        core::Content row = ReadContent(r, 0);
        BEACON_CHECK(conn.Query("UPDATE jobs SET content_id = $1, updated_at = $2 WHERE id = $3",
                                Params().Add(row.id).Add(core::NowMillis()).Add(job_id)));
        return row;
    });
}

Status PostgresDatabase::CompleteJobContent(std::int64_t job_id, const core::Content& c) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    return pg::InTransaction(conn, [&]() -> Status {
        Params p = ContentParams(c);
        p.Add(core::NowMillis()).Add(c.id);
        BEACON_TRY(r,
                   conn.Query(std::string(kUpdateContent) + ", pending = false WHERE id = $21", p));
        if (r.affected() == 0) return Error::NotFound("no content " + std::to_string(c.id));
        BEACON_CHECK(conn.Query("UPDATE assets SET content_id = $1 WHERE job_id = $2",
                                Params().Add(c.id).Add(job_id)));
        return {};
    });
}

Result<core::Content> PostgresDatabase::GetContent(std::int64_t id) {
    Lease lease(*this);
    return ContentById(lease.conn, id);
}

Result<Page<core::Content>> PostgresDatabase::ListContent(const ContentQuery& q) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    const std::string ts = TsQuery(q.search);
    // One statement shape: an empty search / a NULL filter means "any".
    const char* where =
        " WHERE NOT pending AND ($1 = '' OR search @@ to_tsquery('simple', $1)) AND "
        "($2::boolean IS NULL OR published = $2) AND ($3::text IS NULL OR visibility = $3) "
        "AND ($4::text IS NULL OR languages::jsonb ? $4)";
    auto params = [&] {
        Params p;
        p.Add(ts);
        if (q.published) {
            p.Add(*q.published);
        } else {
            p.AddNull();
        }
        if (q.visibility) {
            p.Add(core::ToString(*q.visibility));
        } else {
            p.AddNull();
        }
        if (q.language) {
            p.Add(*q.language);
        } else {
            p.AddNull();
        }
        return p;
    };
    const std::string order = q.sort == "oldest"     ? "created_at ASC, id ASC"
                              : q.sort == "title"    ? "lower(title) ASC, id DESC"
                              : q.sort == "duration" ? "duration DESC, id DESC"
                                                     : "created_at DESC, id DESC";
    Page<core::Content> page;
    BEACON_TRY(c, conn.Query(std::string("SELECT COUNT(*) FROM content") + where, params()));
    page.total = c.empty() ? 0 : c.Int(0, 0);
    Params p = params();
    p.Add(std::clamp(q.limit, 1, 500)).Add(std::max<std::int64_t>(0, q.offset));
    BEACON_TRY(r, conn.Query(std::string("SELECT ") + kContentColumns + " FROM content" + where +
                                 " ORDER BY " + order + " LIMIT $5 OFFSET $6",
                             p));
    for (int i = 0; i < r.size(); ++i) page.items.push_back(ReadContent(r, i));
    return page;
}

Result<core::Content> PostgresDatabase::PatchContent(std::int64_t id, const ContentPatch& p) {
    Lease lease(*this);
    Params params;
    if (p.title) {
        params.Add(*p.title);
    } else {
        params.AddNull();
    }
    if (p.description) {
        params.Add(*p.description);
    } else {
        params.AddNull();
    }
    if (p.visibility) {
        params.Add(core::ToString(*p.visibility));
    } else {
        params.AddNull();
    }
    if (p.published) {
        params.Add(*p.published);
    } else {
        params.AddNull();
    }
    params.Add(core::NowMillis()).Add(id);
    BEACON_TRY(r,
               lease.conn.Query(std::string("UPDATE content SET title = COALESCE($1, title), "
                                            "description = COALESCE($2, description), visibility "
                                            "= COALESCE($3, visibility), published = "
                                            "COALESCE($4::boolean, published), updated_at = $5 "
                                            "WHERE id = $6 AND NOT pending RETURNING ") +
                                    kContentColumns,
                                params));
    if (r.empty()) return Error::NotFound("no content " + std::to_string(id));
    return ReadContent(r, 0);
}

Status PostgresDatabase::DeleteContent(std::int64_t id) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    return pg::InTransaction(conn, [&]() -> Status {
        BEACON_TRY(r, conn.Query("DELETE FROM content WHERE id = $1", Params().Add(id)));
        if (r.affected() == 0) return Error::NotFound("no content " + std::to_string(id));
        return UnlinkContent(conn, {id});
    });
}

Result<int> PostgresDatabase::SweepAbandonedContent() {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    return pg::InTransaction(conn, [&] { return SweepAbandonedLocked(conn); });
}

Status PostgresDatabase::ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) {
    Lease lease(*this);
    BEACON_CHECK(lease.conn.Query("INSERT INTO object_deletes(prefix, due_at) VALUES($1, $2)",
                                  Params().Add(prefix).Add(due_at)));
    return {};
}

Result<std::vector<std::string>> PostgresDatabase::TakeDueObjectDeletes(core::UnixMillis now) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    return pg::InTransaction(conn, [&]() -> Result<std::vector<std::string>> {
        // Rows another process is taking right now are skipped (it hands them out).
        BEACON_TRY(r, conn.Query("SELECT ctid, prefix, taken FROM object_deletes WHERE "
                                 "due_at <= $1 ORDER BY due_at FOR UPDATE SKIP LOCKED",
                                 Params().Add(now)));
        std::vector<std::string> out;
        std::string forget = "{";
        std::string again = "{";
        for (int i = 0; i < r.size(); ++i) {
            out.push_back(r.Text(i, 1));
            std::string& list = r.Bool(i, 2) ? forget : again;
            if (list.size() > 1) list += ',';
            list += '"' + r.Text(i, 0) + '"';
        }
        forget += '}';
        again += '}';
        BEACON_CHECK(conn.Query("DELETE FROM object_deletes WHERE ctid = ANY($1::tid[])",
                                Params().Add(forget)));
        BEACON_CHECK(
            conn.Query("UPDATE object_deletes SET taken = true, due_at = $1 WHERE "
                       "ctid = ANY($2::tid[])",
                       Params().Add(now + kObjectDeleteRetakeMs).Add(again)));
        return out;
    });
}

Result<core::Asset> PostgresDatabase::AddAsset(const core::Asset& a) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query(std::string("INSERT INTO assets(job_id, content_id, kind, "
                                               "hash, key, mime, size, engine, model, "
                                               "parameters, created_at) VALUES($1,$2,$3,$4,"
                                               "$5,$6,$7,$8,$9,$10,$11) RETURNING ") +
                                       kAssetColumns,
                                   Params()
                                       .Add(a.job_id)
                                       .Add(a.content_id)
                                       .Add(core::ToString(a.kind))
                                       .Add(a.hash)
                                       .Add(a.key)
                                       .Add(a.mime)
                                       .Add(a.size)
                                       .Add(a.engine)
                                       .Add(a.model)
                                       .Add(a.parameters.dump())
                                       .Add(core::NowMillis())));
    return ReadAsset(r, 0);
}

Result<std::vector<core::Asset>> PostgresDatabase::ListAssetsForJob(std::int64_t job_id) {
    Lease lease(*this);
    return AssetsWhere(lease.conn, "job_id = $1", job_id);
}

Result<std::vector<core::Asset>> PostgresDatabase::ListAssetsForContent(std::int64_t content_id) {
    Lease lease(*this);
    return AssetsWhere(lease.conn, "content_id = $1", content_id);
}

Result<std::optional<core::Asset>> PostgresDatabase::FindAssetByHash(const std::string& hash) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query(std::string("SELECT ") + kAssetColumns +
                                       " FROM assets WHERE hash = $1 ORDER BY id DESC LIMIT 1",
                                   Params().Add(hash)));
    if (r.empty()) return std::optional<core::Asset>();
    return std::optional<core::Asset>(ReadAsset(r, 0));
}

Status PostgresDatabase::LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) {
    Lease lease(*this);
    BEACON_CHECK(lease.conn.Query("UPDATE assets SET content_id = $1 WHERE job_id = $2",
                                  Params().Add(content_id).Add(job_id)));
    return {};
}

Params PostgresDatabase::ContentParams(const core::Content& c) {
    Params p;
    p.Add(c.owner_id).Add(c.job_id).Add(c.title).Add(c.description).Add(c.prompt);
    p.Add(c.mp4_key).Add(c.hls_key).Add(c.thumbnail_key).Add(c.poster_key).Add(c.preview_key);
    p.Add(c.vtt_key).Add(c.chapters_key).Add(c.duration).Add(Json(c.languages).dump());
    p.Add(c.published).Add(core::ToString(c.visibility)).Add(c.transcript).Add(c.script.dump());
    p.Add(c.entities.dump());
    return p;
}

Result<core::Content> PostgresDatabase::ContentById(pg::Connection& conn, std::int64_t id,
                                                    bool include_pending) {
    BEACON_TRY(r,
               conn.Query(std::string("SELECT ") + kContentColumns + " FROM content WHERE id = $1" +
                              (include_pending ? "" : " AND NOT pending"),
                          Params().Add(id)));
    if (r.empty()) return Error::NotFound("no content " + std::to_string(id));
    return ReadContent(r, 0);
}

Status PostgresDatabase::UnlinkContent(pg::Connection& conn, const std::vector<std::int64_t>& ids) {
    std::string list = "{";
    for (auto id : ids) {
        if (list.size() > 1) list += ',';
        list += std::to_string(id);
    }
    list += '}';
    BEACON_CHECK(
        conn.Query("UPDATE assets SET content_id = NULL WHERE content_id = ANY($1::bigint[])",
                   Params().Add(list)));
    BEACON_CHECK(
        conn.Query("UPDATE jobs SET content_id = NULL WHERE content_id = ANY($1::bigint[])",
                   Params().Add(list)));
    return {};
}

Result<int> PostgresDatabase::SweepAbandonedLocked(pg::Connection& conn) {
    BEACON_TRY(r, conn.Query(std::string("DELETE FROM content WHERE ") + kAbandonedContent +
                             " RETURNING id"));
    if (r.empty()) return 0;
    std::vector<std::int64_t> ids;
    const auto now = core::NowMillis();
    for (int i = 0; i < r.size(); ++i) {
        ids.push_back(r.Int(i, 0));
        BEACON_CHECK(
            conn.Query("INSERT INTO object_deletes(prefix, due_at) VALUES($1, $2)",
                       Params().Add("library/" + std::to_string(ids.back()) + "/").Add(now)));
    }
    BEACON_CHECK(UnlinkContent(conn, ids));
    return static_cast<int>(ids.size());
}

Result<std::vector<core::Asset>> PostgresDatabase::AssetsWhere(pg::Connection& conn,
                                                               const char* cond, std::int64_t v) {
    BEACON_TRY(r, conn.Query(std::string("SELECT ") + kAssetColumns + " FROM assets WHERE " + cond +
                                 " ORDER BY id",
                             Params().Add(v)));
    std::vector<core::Asset> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadAsset(r, i));
    return out;
}

}  // namespace beacon::storage::postgres_backend
