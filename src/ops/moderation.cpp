#include "ops/moderation.hpp"

#include <algorithm>

#include "storage/sqlite.hpp"

namespace beacon::ops {

namespace sql = storage::sqlite;
using core::Error;

struct Moderation::Db {
    sql::Connection conn;
};

namespace {

constexpr std::size_t kMaxReasonChars = 500;

ReviewState StateFrom(const std::string& s) {
    if (s == "flagged") return ReviewState::kFlagged;
    if (s == "approved") return ReviewState::kApproved;
    return ReviewState::kNone;
}

constexpr const char* kReviewColumns =
    "content_id, state, reason, flagged_by, flagged_at, reviewed_by, reviewed_at";

Review ReviewFrom(const sql::Statement& st) {
    Review r;
    r.content_id = st.Int(0);
    r.state = StateFrom(st.Text(1));
    r.reason = st.Text(2);
    r.flagged_by = st.Int(3);
    r.flagged_at = st.Int(4);
    r.reviewed_by = st.Int(5);
    r.reviewed_at = st.Int(6);
    return r;
}

}  // namespace

std::string_view ToString(ReviewState s) {
    switch (s) {
        case ReviewState::kFlagged: return "flagged";
        case ReviewState::kApproved: return "approved";
        case ReviewState::kNone: break;
    }
    return "unreviewed";
}

core::Result<std::unique_ptr<Moderation>> Moderation::Open(const std::filesystem::path& db_file) {
    auto db = std::make_unique<Db>();
    std::error_code ec;
    if (!std::filesystem::exists(db_file, ec)) {
        return Error::NotFound("no database at " + db_file.string());
    }
    if (sqlite3_open_v2(db_file.c_str(), &db->conn.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        return Error::Unavailable("cannot open " + db_file.string(), false);
    }
    sqlite3_busy_timeout(db->conn.db, 5000);
    std::unique_ptr<Moderation> m(new Moderation(std::move(db)));
    BEACON_CHECK(m->LoadFlagged());
    return m;
}

Moderation::Moderation(std::unique_ptr<Db> db) : db_(std::move(db)) {}
Moderation::~Moderation() = default;

core::Status Moderation::LoadFlagged() {
    std::lock_guard lock(mu_);
    sql::Statement st(db_->conn, "SELECT content_id FROM moderation WHERE state = 'flagged'");
    if (!st.valid()) return Error::Internal("moderation tables missing: " + st.prepare_error());
    for (;;) {
        BEACON_TRY(row, st.Step());
        if (!row) break;
        flagged_.insert(st.Int(0));
    }
    return {};
}

bool Moderation::IsFlagged(std::int64_t content_id) const {
    std::lock_guard lock(mu_);
    return flagged_.count(content_id) > 0;
}

core::Result<Review> Moderation::Get(std::int64_t content_id) const {
    std::lock_guard lock(mu_);
    sql::Statement st(db_->conn, std::string("SELECT ") + kReviewColumns +
                                     " FROM moderation WHERE content_id = ?");
    st.Bind(1, content_id);
    BEACON_TRY(row, st.Step());
    if (!row) {
        Review r;
        r.content_id = content_id;
        return r;
    }
    return ReviewFrom(st);
}

core::Status Moderation::Check(GatedAction action, std::int64_t content_id, bool confirm) const {
    BEACON_TRY(r, Get(content_id));
    const char* what = action == GatedAction::kPublish ? "published to LiveLoop" : "made public";
    if (r.state == ReviewState::kFlagged) {
        return Error::Conflict("item " + std::to_string(content_id) +
                               " is flagged for review (" + r.reason + "); it cannot be " + what +
                               " until a reviewer approves it");
    }
    if (r.state == ReviewState::kNone && !confirm) {
        return Error::Conflict("item " + std::to_string(content_id) +
                               " was never reviewed; send \"confirm\": true to have it " + what +
                               " anyway");
    }
    return {};
}

core::Result<Review> Moderation::Flag(std::int64_t content_id, std::int64_t user_id,
                                      std::string_view reason) {
    if (reason.empty() || reason.size() > kMaxReasonChars) {
        return Error::Invalid("field 'reason' must hold 1 to 500 characters");
    }
    {
        std::lock_guard lock(mu_);
        sql::Statement st(db_->conn,
                          "INSERT INTO moderation (content_id, state, reason, flagged_by, flagged_at)"
                          " VALUES (?, 'flagged', ?, ?, ?) ON CONFLICT(content_id) DO UPDATE SET"
                          " state = 'flagged', reason = excluded.reason,"
                          " flagged_by = excluded.flagged_by, flagged_at = excluded.flagged_at");
        st.Bind(1, content_id).Bind(2, reason).Bind(3, user_id).Bind(4, core::NowMillis());
        BEACON_CHECK(st.Run());
        flagged_.insert(content_id);
    }
    BEACON_CHECK(Audit(user_id, "flag", content_id, reason));
    return Get(content_id);
}

core::Result<Review> Moderation::Approve(std::int64_t content_id, std::int64_t user_id) {
    {
        std::lock_guard lock(mu_);
        sql::Statement st(db_->conn,
                          "INSERT INTO moderation (content_id, state, reviewed_by, reviewed_at)"
                          " VALUES (?, 'approved', ?, ?) ON CONFLICT(content_id) DO UPDATE SET"
                          " state = 'approved', reviewed_by = excluded.reviewed_by,"
                          " reviewed_at = excluded.reviewed_at");
        st.Bind(1, content_id).Bind(2, user_id).Bind(3, core::NowMillis());
        BEACON_CHECK(st.Run());
        flagged_.erase(content_id);
    }
    BEACON_CHECK(Audit(user_id, "approve", content_id));
    return Get(content_id);
}

core::Status Moderation::Forget(std::int64_t content_id) {
    std::lock_guard lock(mu_);
    sql::Statement st(db_->conn, "DELETE FROM moderation WHERE content_id = ?");
    st.Bind(1, content_id);
    BEACON_CHECK(st.Run());
    flagged_.erase(content_id);
    return {};
}

core::Result<std::vector<Review>> Moderation::Flagged() const {
    std::lock_guard lock(mu_);
    sql::Statement st(db_->conn, std::string("SELECT ") + kReviewColumns +
                                     " FROM moderation WHERE state = 'flagged'"
                                     " ORDER BY flagged_at, content_id");
    std::vector<Review> out;
    for (;;) {
        BEACON_TRY(row, st.Step());
        if (!row) break;
        out.push_back(ReviewFrom(st));
    }
    return out;
}

core::Status Moderation::Audit(std::int64_t user_id, std::string_view action,
                               std::int64_t content_id, std::string_view detail) {
    std::lock_guard lock(mu_);
    sql::Statement st(db_->conn,
                      "INSERT INTO audit_log (at, user_id, action, content_id, detail)"
                      " VALUES (?, ?, ?, ?, ?)");
    st.Bind(1, core::NowMillis()).Bind(2, user_id).Bind(3, action).Bind(4, content_id);
    st.Bind(5, std::string(detail.substr(0, 1000)));  // never NULL, even for an empty view
    return st.Run();
}

core::Result<std::vector<AuditEntry>> Moderation::AuditLog(int limit, std::int64_t before_id) const {
    std::lock_guard lock(mu_);
    sql::Statement st(db_->conn,
                      "SELECT a.id, a.at, a.user_id, COALESCE(u.name, ''), a.action, a.content_id,"
                      " a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                      " WHERE (? = 0 OR a.id < ?) ORDER BY a.id DESC LIMIT ?");
    st.Bind(1, before_id).Bind(2, before_id).Bind(3, std::clamp(limit, 1, 500));
    std::vector<AuditEntry> out;
    for (;;) {
        BEACON_TRY(row, st.Step());
        if (!row) break;
        out.push_back({st.Int(0), st.Int(1), st.Int(2), st.Text(3), st.Text(4), st.Int(5),
                       st.Text(6)});
    }
    return out;
}

}  // namespace beacon::ops
