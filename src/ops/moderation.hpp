#pragma once
/// Moderation: library items are private until published; anyone signed in may flag an item
/// with a reason, which hides it from LiveLoop playout and from public sharing until it is
/// reviewed; a review approves it (unflags) or the item is deleted. Publishing to LiveLoop or
/// making an item public needs an explicit confirmation while the item has never been reviewed.
/// Every publish, share, flag, approve and delete is written to an audit log.
///
/// The tables (migration 7 of the studio database, SQLite or PostgreSQL) are read through this
/// class's own connection; the set of flagged items is also kept in memory so that LiveLoop can
/// ask on its hot path, and read again at most every kFlaggedRefreshMs, so that a flag set by
/// another process on the same PostgreSQL database takes effect here too. Thread-safe.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::ops {

/// An item's review state: none (never reviewed), flagged, or approved.
enum class ReviewState { kNone, kFlagged, kApproved };
std::string_view ToString(ReviewState s);

struct Review {
    std::int64_t content_id = 0;
    ReviewState state = ReviewState::kNone;
    std::string reason;               // why it was flagged ("" unless flagged once)
    std::int64_t flagged_by = 0;      // user id
    core::UnixMillis flagged_at = 0;  // 0: never flagged
    std::int64_t reviewed_by = 0;
    core::UnixMillis reviewed_at = 0;  // 0: never reviewed
};

struct AuditEntry {
    std::int64_t id = 0;
    core::UnixMillis at = 0;
    std::int64_t user_id = 0;
    std::string user;  // the user's name ("" when the user is gone)
    std::string action;  // publish | share | flag | approve | delete
    std::int64_t content_id = 0;
    std::string detail;
};

/// What a caller is about to do with an item.
enum class GatedAction { kPublish, kShare };

class Moderation {
public:
    /// Opens the studio database: its SQLite file (`<data>/beacon.db`) or its postgresql:// URL,
    /// migrated before by storage::OpenSqlite / OpenPostgres.
    static core::Result<std::unique_ptr<Moderation>> Open(const std::string& where);
    /// How old the in-memory set of flagged items may grow before IsFlagged reads it again.
    static constexpr core::UnixMillis kFlaggedRefreshMs = 2000;
    ~Moderation();
    Moderation(const Moderation&) = delete;
    Moderation& operator=(const Moderation&) = delete;

    /// May `action` go ahead for the item? Conflict "flagged" while the item is flagged; Conflict
    /// "confirmation_required" while it was never reviewed and `confirm` is false.
    core::Status Check(GatedAction action, std::int64_t content_id, bool confirm) const;
    /// True while the item is flagged (LiveLoop skips it). Touches the database only to refresh
    /// the set when it is older than kFlaggedRefreshMs (on failure the old set stays).
    bool IsFlagged(std::int64_t content_id) const;

    core::Result<Review> Get(std::int64_t content_id) const;
    /// Flags the item (again) with a reason of 1..500 characters.
    core::Result<Review> Flag(std::int64_t content_id, std::int64_t user_id, std::string_view reason);
    /// Marks the item reviewed and fine (unflags it).
    core::Result<Review> Approve(std::int64_t content_id, std::int64_t user_id);
    /// Forgets the item's review state (the item was deleted); the audit log keeps its lines.
    core::Status Forget(std::int64_t content_id);
    /// Flagged items, oldest flag first.
    core::Result<std::vector<Review>> Flagged() const;

    core::Status Audit(std::int64_t user_id, std::string_view action, std::int64_t content_id,
                       std::string_view detail = {});
    /// Audit lines, newest first; `before_id` > 0 pages on (ids below it). limit 1..500.
    core::Result<std::vector<AuditEntry>> AuditLog(int limit, std::int64_t before_id) const;

private:
    struct Db;
    explicit Moderation(std::unique_ptr<Db> db);
    core::Status LoadFlaggedLocked() const;

    std::unique_ptr<Db> db_;
    mutable std::mutex mu_;                    // guards flagged_ and loaded_at_
    mutable std::set<std::int64_t> flagged_;  // ids of flagged items
    mutable core::UnixMillis loaded_at_ = 0;
};

}  // namespace beacon::ops
