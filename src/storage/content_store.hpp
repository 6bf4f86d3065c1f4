#pragma once
/// The library: content rows (pending while their job composes them), their search, and the
/// deferred deletion of their files. Every method is thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "storage/store_types.hpp"

namespace beacon::storage {

struct ContentQuery {
    std::string search;  // FTS5 query over title/description/prompt/transcript; empty = all
    std::string sort = "newest";  // newest | oldest | title | duration
    std::optional<bool> published;
    std::optional<core::Visibility> visibility;
    std::optional<std::string> language;  // items that have this language (original or added)
    int limit = 50;
    std::int64_t offset = 0;
};

/// Fields a caller may change on a content row (PATCH). Unset = unchanged.
struct ContentPatch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<core::Visibility> visibility;
    std::optional<bool> published;
};

/// How long after a prefix was first handed out for deletion it is handed out once more.
inline constexpr core::UnixMillis kObjectDeleteRetakeMs = 10 * 60 * 1000;

class ContentStore {
public:
    virtual ~ContentStore() = default;

    /// Inserts a finished (not pending) row.
    virtual Result<core::Content> CreateContent(const core::Content& c) = 0;
    /// Replaces every column of an existing row (used by the pipeline on re-assembly).
    virtual Status UpdateContent(const core::Content& c) = 0;
    /// The library row a job composes into, in one transaction: the row recorded on the job
    /// (jobs.content_id) when it still exists, pending or not, so that a resumed compose reuses
    /// it; otherwise `c` inserted as a pending row and recorded on the job. NotFound: no job.
    virtual Result<core::Content> BeginJobContent(std::int64_t job_id, const core::Content& c) = 0;
    /// In one transaction: replaces every column of `c`, clears pending (the row appears in
    /// lists and search) and links the job's assets to it.
    virtual Status CompleteJobContent(std::int64_t job_id, const core::Content& c) = 0;
    /// NotFound for a pending row: nobody but its job sees it.
    virtual Result<core::Content> GetContent(std::int64_t id) = 0;
    /// Never lists pending rows.
    virtual Result<Page<core::Content>> ListContent(const ContentQuery& q) = 0;
    virtual Result<core::Content> PatchContent(std::int64_t id, const ContentPatch& p) = 0;
    /// Deletes the row (pending or not), unlinks its assets and clears it from its job, in one
    /// transaction.
    virtual Status DeleteContent(std::int64_t id) = 0;

    /// Remembers that an object-store prefix is to be deleted at `due_at` (files a LiveLoop
    /// channel may still serve for a while after their library item was deleted).
    virtual Status ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) = 0;
    /// Hands out the prefixes whose time has come, at least once: each is handed out again
    /// kObjectDeleteRetakeMs later and only then forgotten, so a process that dies between
    /// taking and deleting loses nothing (deleting a prefix twice is harmless).
    virtual Result<std::vector<std::string>> TakeDueObjectDeletes(core::UnixMillis now) = 0;
    /// Deletes pending rows no live job will finish (their job failed, was canceled, or
    /// records another row) and schedules their "library/<id>/" files for deletion now, in one
    /// transaction. Also runs on open and whenever a job fails or is canceled. Returns how many.
    virtual Result<int> SweepAbandonedContent() = 0;
};

}  // namespace beacon::storage
