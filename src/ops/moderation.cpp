#include "ops/moderation.hpp"

#include <algorithm>

#include "storage/module_db.hpp"

namespace beacon::ops {

using core::Error;
using storage::Args;

struct Moderation::Db {
    std::unique_ptr<storage::ModuleDb> db;
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

Review ReviewFrom(const storage::Table& t, int row) {
    Review r;
    r.content_id = t.Int(row, 0);
    r.state = StateFrom(t.Text(row, 1));
    r.reason = t.Text(row, 2);
    r.flagged_by = t.Int(row, 3);
    r.flagged_at = t.Int(row, 4);
    r.reviewed_by = t.Int(row, 5);
    r.reviewed_at = t.Int(row, 6);
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

core::Result<std::unique_ptr<Moderation>> Moderation::Open(const std::string& where) {
    std::error_code ec;
    if (!storage::IsPostgresUrl(where) && !std::filesystem::exists(where, ec)) {
        return Error::NotFound("no database at " + where);
    }
    auto db = std::make_unique<Db>();
    BEACON_TRY(handle, storage::ModuleDb::Open(where));
    db->db = std::move(handle);
    std::unique_ptr<Moderation> m(new Moderation(std::move(db)));
    {
        std::lock_guard lock(m->mu_);
        BEACON_CHECK(m->LoadFlaggedLocked());
    }
    return m;
}

Moderation::Moderation(std::unique_ptr<Db> db) : db_(std::move(db)) {}
Moderation::~Moderation() = default;

core::Status Moderation::LoadFlaggedLocked() const {
    auto t = db_->db->Query("SELECT content_id FROM moderation WHERE state = 'flagged'");
    if (!t.ok()) return Error::Internal("moderation tables unreadable: " + t.error().message);
    std::set<std::int64_t> flagged;
    for (int r = 0; r < t->size(); ++r) flagged.insert(t->Int(r, 0));
    flagged_ = std::move(flagged);
    loaded_at_ = core::NowMillis();
    return {};
}

bool Moderation::IsFlagged(std::int64_t content_id) const {
    std::lock_guard lock(mu_);
    if (core::NowMillis() - loaded_at_ > kFlaggedRefreshMs) {
        // Another process may have flagged or approved meanwhile; a failed read keeps the set.
        if (!LoadFlaggedLocked().ok()) loaded_at_ = core::NowMillis();
    }
    return flagged_.count(content_id) > 0;
}

core::Result<Review> Moderation::Get(std::int64_t content_id) const {
    BEACON_TRY(t, db_->db->Query(std::string("SELECT ") + kReviewColumns +
                                     " FROM moderation WHERE content_id = ?",
                                 Args().Add(content_id)));
    if (t.empty()) {
        Review r;
        r.content_id = content_id;
        return r;
    }
    return ReviewFrom(t, 0);
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
    BEACON_CHECK(db_->db->Query(
        "INSERT INTO moderation (content_id, state, reason, flagged_by, flagged_at)"
        " VALUES (?, 'flagged', ?, ?, ?) ON CONFLICT(content_id) DO UPDATE SET"
        " state = 'flagged', reason = excluded.reason,"
        " flagged_by = excluded.flagged_by, flagged_at = excluded.flagged_at",
        Args().Add(content_id).Add(reason).Add(user_id).Add(core::NowMillis())));
    {
        std::lock_guard lock(mu_);
        flagged_.insert(content_id);
    }
    BEACON_CHECK(Audit(user_id, "flag", content_id, reason));
    return Get(content_id);
}

core::Result<Review> Moderation::Approve(std::int64_t content_id, std::int64_t user_id) {
    BEACON_CHECK(db_->db->Query(
        "INSERT INTO moderation (content_id, state, reviewed_by, reviewed_at)"
        " VALUES (?, 'approved', ?, ?) ON CONFLICT(content_id) DO UPDATE SET"
        " state = 'approved', reviewed_by = excluded.reviewed_by,"
        " reviewed_at = excluded.reviewed_at",
        Args().Add(content_id).Add(user_id).Add(core::NowMillis())));
    {
        std::lock_guard lock(mu_);
        flagged_.erase(content_id);
    }
    BEACON_CHECK(Audit(user_id, "approve", content_id));
    return Get(content_id);
}

core::Status Moderation::Forget(std::int64_t content_id) {
    BEACON_CHECK(db_->db->Query("DELETE FROM moderation WHERE content_id = ?",
                                Args().Add(content_id)));
    std::lock_guard lock(mu_);
    flagged_.erase(content_id);
    return {};
}

core::Result<std::vector<Review>> Moderation::Flagged() const {
    BEACON_TRY(t, db_->db->Query(std::string("SELECT ") + kReviewColumns +
                                 " FROM moderation WHERE state = 'flagged'"
                                 " ORDER BY flagged_at, content_id"));
    std::vector<Review> out;
    for (int r = 0; r < t.size(); ++r) out.push_back(ReviewFrom(t, r));
    return out;
}

core::Status Moderation::Audit(std::int64_t user_id, std::string_view action,
                               std::int64_t content_id, std::string_view detail) {
    BEACON_CHECK(db_->db->Query(
        "INSERT INTO audit_log (at, user_id, action, content_id, detail) VALUES (?, ?, ?, ?, ?)",
        Args().Add(core::NowMillis()).Add(user_id).Add(action).Add(content_id)
            .Add(detail.substr(0, 1000))));
    return {};
}

core::Result<std::vector<AuditEntry>> Moderation::AuditLog(int limit, std::int64_t before_id) const {
    BEACON_TRY(t, db_->db->Query(
        "SELECT a.id, a.at, a.user_id, COALESCE(u.name, ''), a.action, a.content_id,"
        " a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
        " WHERE (? = 0 OR a.id < ?) ORDER BY a.id DESC LIMIT ?",
        Args().Add(before_id).Add(before_id).Add(std::clamp(limit, 1, 500))));
    std::vector<AuditEntry> out;
    for (int r = 0; r < t.size(); ++r) {
        out.push_back({t.Int(r, 0), t.Int(r, 1), t.Int(r, 2), t.Text(r, 3), t.Text(r, 4),
                       t.Int(r, 5), t.Text(r, 6)});
    }
    return out;
}

}  // namespace beacon::ops
