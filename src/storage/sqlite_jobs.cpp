// SQLite backend: the job queue and batches (storage::JobStore, storage::BatchStore).
#include "core/job_machine.hpp"
#include "storage/sqlite_backend.hpp"

namespace beacon::storage::sqlite_backend {

namespace {

using core::JobEvent;
using core::JobPosition;

/// "status IN (...)": the states from which the job state machine allows `event`.
std::string StatusIn(JobEvent event, bool held, bool cancel_requested,
                     JobState target = JobState::kQueued,
                     const std::function<bool(const JobPosition&)>& to = {}) {
    return "status IN (" +
           core::QuotedJobStates(
               core::JobStatesAllowing(event, held, cancel_requested, target, to)) +
           ")";
}

/// The machine's refusal of `event` for a job whose guarded update changed no row (NotFound
/// when the job does not exist).
Status Refusal(Result<core::Job> job, JobEvent event, std::int64_t job_id) {
    if (!job.ok()) return job.error();
    auto next = core::NextJobPosition({job->status, false, job->cancel_requested}, event,
                                      JobState::kQueued, job_id);
    if (!next.ok()) return next.error();
    return Error::Conflict("job " + std::to_string(job_id) + " changed while it was " +
                           std::string(core::ToString(event)));
}

}  // namespace

Result<core::Job> SqliteDatabase::CreateJob(std::int64_t user_id, const core::GenerateRequest& r) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    auto now = core::NowMillis();
    Statement s(conn,
                "INSERT INTO jobs(user_id, prompt_text, title, style, voice, language, "
                "duration_target, output_preset, produce_preview, status, created_at, "
                "updated_at) VALUES(?,?,?,?,?,?,?,?,?, 'queued', ?, ?)");
    s.Bind(1, user_id).Bind(2, r.prompt).Bind(3, r.title).Bind(4, r.style).Bind(5, r.voice);
    s.Bind(6, r.language).Bind(7, r.duration_target).Bind(8, r.output_preset);
    s.Bind(9, r.produce_preview).Bind(10, now).Bind(11, now);
    BEACON_CHECK(s.Run());
    return JobById(conn, sqlite3_last_insert_rowid(conn.db));
}

Result<core::Job> SqliteDatabase::CreateJobOfKind(std::int64_t user_id, core::JobKind kind,
                                                  const core::Json& params,
                                                  const core::GenerateRequest& r) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    auto now = core::NowMillis();
    Statement s(conn,
                "INSERT INTO jobs(user_id, prompt_text, title, style, voice, language, "
                "duration_target, output_preset, produce_preview, status, created_at, "
                "updated_at, kind, params) VALUES(?,?,?,?,?,?,?,?,?, 'queued', ?, ?, ?, ?)");
    s.Bind(1, user_id).Bind(2, r.prompt).Bind(3, r.title).Bind(4, r.style).Bind(5, r.voice);
    s.Bind(6, r.language).Bind(7, r.duration_target).Bind(8, r.output_preset);
    s.Bind(9, r.produce_preview).Bind(10, now).Bind(11, now).Bind(12, core::ToString(kind));
    s.Bind(13, params.dump());
    BEACON_CHECK(s.Run());
    return JobById(conn, sqlite3_last_insert_rowid(conn.db));
}

Result<Batch> SqliteDatabase::CreateBatch(std::int64_t user_id, const std::string& name,
                                          int max_parallel,
                                          const std::vector<core::GenerateRequest>& items) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    std::int64_t batch_id = 0;
    BEACON_CHECK(InTransaction(conn, [&]() -> Status {
        auto now = core::NowMillis();
        Statement b(conn,
                    "INSERT INTO batches(user_id, name, max_parallel, created_at) "
                    "VALUES(?,?,?,?)");
        b.Bind(1, user_id).Bind(2, name).Bind(3, static_cast<std::int64_t>(max_parallel));
        b.Bind(4, now);
        BEACON_CHECK(b.Run());
        batch_id = sqlite3_last_insert_rowid(conn.db);
        for (const auto& r : items) {
            Statement s(conn,
                        "INSERT INTO jobs(user_id, prompt_text, title, style, voice, language, "
                        "duration_target, output_preset, produce_preview, status, created_at, "
                        "updated_at, batch_id, priority) "
                        "VALUES(?,?,?,?,?,?,?,?,?, 'queued', ?, ?, ?, 1)");
            s.Bind(1, user_id).Bind(2, r.prompt).Bind(3, r.title).Bind(4, r.style);
            s.Bind(5, r.voice).Bind(6, r.language).Bind(7, r.duration_target);
            s.Bind(8, r.output_preset).Bind(9, r.produce_preview).Bind(10, now);
            s.Bind(11, now).Bind(12, batch_id);
            BEACON_CHECK(s.Run());
        }
        return {};
    }));
    return BatchById(conn, batch_id);
}

Result<Batch> SqliteDatabase::GetBatch(std::int64_t id) {
    ReaderLease lease(*this);
    return BatchById(lease.conn, id);
}

Result<std::vector<Batch>> SqliteDatabase::ListBatches(std::int64_t user_id, int limit) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn, "SELECT id FROM batches WHERE user_id = ? ORDER BY id DESC LIMIT ?");
    s.Bind(1, user_id).Bind(2, static_cast<std::int64_t>(std::clamp(limit, 1, 200)));
    std::vector<std::int64_t> ids;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        ids.push_back(s.Int(0));
    }
    std::vector<Batch> out;
    for (auto id : ids) {
        BEACON_TRY(b, BatchById(conn, id));
        out.push_back(std::move(b));
    }
    return out;
}

Result<Batch> SqliteDatabase::BatchById(sqlite::Connection& conn, std::int64_t id) {
    Statement s(conn,
                "SELECT id, user_id, name, max_parallel, created_at FROM batches WHERE id = ?");
    s.Bind(1, id);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no batch " + std::to_string(id));
    Batch b;
    b.id = s.Int(0);
    b.user_id = s.Int(1);
    b.name = s.Text(2);
    b.max_parallel = static_cast<int>(s.Int(3));
    b.created_at = s.Int(4);
    Statement j(conn, "SELECT id, status, progress FROM jobs WHERE batch_id = ? ORDER BY id");
    j.Bind(1, id);
    std::int64_t progress = 0;
    for (;;) {
        BEACON_TRY(more, j.Step());
        if (!more) break;
        b.job_ids.push_back(j.Int(0));
        ++b.counts[j.Text(1)];
        std::string st = j.Text(1);
        progress += st == "completed" || st == "failed" || st == "canceled" ? 100 : j.Int(2);
    }
    if (!b.job_ids.empty()) {
        b.progress = static_cast<int>(progress / static_cast<std::int64_t>(b.job_ids.size()));
    }
    return b;
}

Result<core::Job> SqliteDatabase::GetJob(std::int64_t id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return JobById(conn, id);
}

Result<std::string> SqliteDatabase::JobFingerprint(std::int64_t id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn,
                "SELECT updated_at, (SELECT COALESCE(MAX(id), 0) FROM job_logs WHERE job_id = "
                "?1), (SELECT COALESCE(MAX(id), 0) FROM assets WHERE job_id = ?1), "
                "length(stages), status || ':' || progress || ':' || attempts || ':' || "
                "cancel_requested || ':' || length(preview_url || final_url || thumbnail_url || "
                "vtt_url || error_log) || ':' || COALESCE(content_id, 0) FROM jobs WHERE id = ?1");
    s.Bind(1, id);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no job " + std::to_string(id));
    return std::to_string(s.Int(0)) + "/" + std::to_string(s.Int(1)) + "/" +
           std::to_string(s.Int(2)) + "/" + std::to_string(s.Int(3)) + "/" + s.Text(4);
}

Result<Page<core::Job>> SqliteDatabase::ListJobs(const JobQuery& q) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    int limit = std::clamp(q.limit, 1, 200);
    std::string where = q.state ? " WHERE status = ?" : "";
    Page<core::Job> page;
    {
        Statement c(conn, "SELECT COUNT(*) FROM jobs" + where);
        if (q.state) c.Bind(1, std::string(core::ToString(*q.state)));
        BEACON_TRY(row, c.Step());
        page.total = row ? c.Int(0) : 0;
    }
    Statement s(conn, std::string("SELECT ") + kJobColumns + " FROM jobs" + where +
                          " ORDER BY id DESC LIMIT ? OFFSET ?");
    int i = 1;
    if (q.state) s.Bind(i++, std::string(core::ToString(*q.state)));
    s.Bind(i, limit);
    s.Bind(i + 1, std::max<std::int64_t>(0, q.offset));
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        page.items.push_back(ReadJob(s));
    }
    return page;
}

Result<std::optional<core::Job>> SqliteDatabase::ClaimJob(const std::string& worker_id,
                                                          core::UnixMillis now,
                                                          core::UnixMillis lease_until) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    BEACON_CHECK(sqlite::Exec(conn.db, "BEGIN IMMEDIATE"));
    auto result = ClaimLocked(conn, worker_id, now, lease_until);
    if (!result.ok()) {
        (void)sqlite::Exec(conn.db, "ROLLBACK");
        return result;
    }
    BEACON_CHECK(sqlite::Exec(conn.db, "COMMIT"));
    return result;
}

Result<bool> SqliteDatabase::RenewLease(std::int64_t job_id, const std::string& worker_id,
                                        core::UnixMillis lease_until) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "UPDATE jobs SET lease_expires = ? WHERE id = ? AND lease_owner = ?");
    s.Bind(1, lease_until).Bind(2, job_id).Bind(3, worker_id);
    BEACON_CHECK(s.Run());
    return sqlite3_changes(conn.db) > 0;
}

Result<int> SqliteDatabase::ReleaseLeases(const std::string& owner_prefix) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn,
                "UPDATE jobs SET lease_owner = NULL, lease_expires = 0 WHERE "
                "substr(lease_owner, 1, ?) = ?");
    s.Bind(1, static_cast<std::int64_t>(owner_prefix.size())).Bind(2, owner_prefix);
    BEACON_CHECK(s.Run());
    return sqlite3_changes(conn.db);
}

Status SqliteDatabase::UpdateJobProgress(std::int64_t job_id, JobState state, int progress) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    // The stage's state, from any state the machine lets a stage advance from.
    BEACON_TRY(next, core::NextJobPosition({JobState::kQueued, true}, JobEvent::kAdvance, state));
    Statement s(conn, "UPDATE jobs SET status = ?, progress = ?, updated_at = ? WHERE id = ? AND " +
                          StatusIn(JobEvent::kAdvance, true, false, state));
    s.Bind(1, std::string(core::ToString(next.state))).Bind(2, std::clamp(progress, 0, 100));
    s.Bind(3, core::NowMillis()).Bind(4, job_id);
    return s.Run();
}

Status SqliteDatabase::RecordStage(std::int64_t job_id, const std::string& stage,
                                   const Json& outputs) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    // One key set in place (json_set): the other stages are neither read nor rewritten, so
    // recording scene after scene stays linear in the number of scenes.
    Statement s(conn, "UPDATE jobs SET stages = json_set(" + std::string(kStagesObject) +
                          ", '$.' || json_quote(?), json(?)), updated_at = ? WHERE id = ?");
    s.Bind(1, stage).Bind(2, outputs.dump()).Bind(3, core::NowMillis()).Bind(4, job_id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no job " + std::to_string(job_id));
    return {};
}

Status SqliteDatabase::ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    std::string sql = "UPDATE jobs SET stages = json_remove(" + std::string(kStagesObject);
    for (std::size_t i = 0; i < stages.size(); ++i) sql += ", '$.' || json_quote(?)";
    sql += "), updated_at = ? WHERE id = ?";
    Statement s(conn, sql);
    int i = 1;
    for (const auto& name : stages) s.Bind(i++, name);
    s.Bind(i, core::NowMillis());
    s.Bind(i + 1, job_id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no job " + std::to_string(job_id));
    return {};
}

Status SqliteDatabase::SetJobUrls(std::int64_t job_id, const Json& urls) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    static const char* kCols[] = {"preview_url", "final_url", "thumbnail_url", "vtt_url"};
    return InTransaction(conn, [&]() -> Status {
        for (const char* col : kCols) {
            if (!urls.contains(col) || !urls[col].is_string()) continue;
            Statement s(
                conn, std::string("UPDATE jobs SET ") + col + " = ?, updated_at = ? WHERE id = ?");
            s.Bind(1, urls[col].get<std::string>()).Bind(2, core::NowMillis()).Bind(3, job_id);
            BEACON_CHECK(s.Run());
        }
        return {};
    });
}

Status SqliteDatabase::FinishJob(std::int64_t job_id, JobState final_state,
                                 const std::optional<core::Error>& error,
                                 std::optional<std::int64_t> content_id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    // The machine decides the end state and from which states a job may end so (never twice).
    BEACON_TRY(event, core::FinishEventFor(final_state));
    BEACON_TRY(next, core::NextJobPosition({JobState::kQueued, true}, event));
    Statement s(conn,
                "UPDATE jobs SET status = ?, progress = CASE WHEN ? THEN 100 ELSE progress END, "
                "error_log = ?, error_code = ?, content_id = COALESCE(?, content_id), "
                "lease_owner = NULL, lease_expires = 0, updated_at = ? WHERE id = ? AND " +
                    StatusIn(event, true, false));
    bool completed = next.state == JobState::kCompleted;
    s.Bind(1, std::string(core::ToString(next.state))).Bind(2, completed);
    s.Bind(3, error ? error->message : std::string());
    s.Bind(4, error ? std::string(core::ToString(error->code)) : std::string());
    s.Bind(5, content_id).Bind(6, core::NowMillis()).Bind(7, job_id);
    auto run = [&]() -> Status {
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Refusal(JobById(conn, job_id), event, job_id);
        return {};
    };
    if (completed) return run();
    // A failed or canceled job's half-composed library row goes with it.
    return InTransaction(conn, [&]() -> Status {
        BEACON_CHECK(run());
        BEACON_TRY(swept, SweepAbandonedLocked(conn));
        (void)swept;
        return {};
    });
}

Status SqliteDatabase::RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                                  const std::string& reason) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    BEACON_TRY(next, core::NextJobPosition({JobState::kQueued, true}, JobEvent::kRequeue));
    Statement s(conn,
                "UPDATE jobs SET status = ?, run_after = ?, error_log = ?, lease_owner = NULL, "
                "lease_expires = 0, updated_at = ? WHERE id = ? AND " +
                    StatusIn(JobEvent::kRequeue, true, false));
    s.Bind(1, std::string(core::ToString(next.state))).Bind(2, run_after).Bind(3, reason);
    s.Bind(4, core::NowMillis()).Bind(5, job_id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0) {
        return Refusal(JobById(conn, job_id), JobEvent::kRequeue, job_id);
    }
    return {};
}

Result<core::Job> SqliteDatabase::RequestCancel(std::int64_t job_id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    BEACON_TRY(job, JobById(conn, job_id));
    // The machine's answer for an unheld job (canceled at once) and a held one (flagged for
    // its worker); the lease decides which, in the statement.
    const JobPosition from{job.status, false, job.cancel_requested};
    BEACON_TRY(unheld,
               core::NextJobPosition(from, JobEvent::kRequestCancel, JobState::kQueued, job_id));
    BEACON_TRY(held, core::NextJobPosition({job.status, true, job.cancel_requested},
                                           JobEvent::kRequestCancel));
    auto now = core::NowMillis();
    Statement s(conn,
                "UPDATE jobs SET cancel_requested = 1, updated_at = ?, "
                "status = CASE WHEN lease_owner IS NULL OR lease_expires < ? THEN ? ELSE ? END, "
                "lease_owner = CASE WHEN lease_owner IS NULL OR lease_expires < ? THEN NULL "
                "ELSE lease_owner END WHERE id = ?");
    s.Bind(1, now).Bind(2, now).Bind(3, std::string(core::ToString(unheld.state)));
    s.Bind(4, std::string(core::ToString(held.state))).Bind(5, now).Bind(6, job_id);
    return InTransaction(conn, [&]() -> Result<core::Job> {
        BEACON_CHECK(s.Run());
        BEACON_TRY(swept, SweepAbandonedLocked(conn));
        (void)swept;
        return JobById(conn, job_id);
    });
}

Result<core::Job> SqliteDatabase::RetryJob(std::int64_t job_id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    BEACON_TRY(job, JobById(conn, job_id));
    BEACON_TRY(next, core::NextJobPosition({job.status, false, job.cancel_requested},
                                           JobEvent::kRetry, JobState::kQueued, job_id));
    Statement s(conn,
                "UPDATE jobs SET status = ?, progress = 0, attempts = 0, run_after = 0, "
                "cancel_requested = ?, error_log = '', error_code = '', lease_owner = NULL, "
                "lease_expires = 0, updated_at = ? WHERE id = ?");
    s.Bind(1, std::string(core::ToString(next.state))).Bind(2, next.cancel_requested);
    s.Bind(3, core::NowMillis()).Bind(4, job_id);
    BEACON_CHECK(s.Run());
    return JobById(conn, job_id);
}

Result<core::Job> SqliteDatabase::ReopenJob(std::int64_t job_id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    BEACON_TRY(job, JobById(conn, job_id));
    BEACON_TRY(next, core::NextJobPosition({job.status, false, job.cancel_requested},
                                           JobEvent::kReopen, JobState::kQueued, job_id));
    Statement s(conn,
                "UPDATE jobs SET status = ?, attempts = 0, run_after = 0, "
                "cancel_requested = ?, error_log = '', error_code = '', lease_owner = NULL, "
                "lease_expires = 0, updated_at = ? WHERE id = ?");
    s.Bind(1, std::string(core::ToString(next.state))).Bind(2, next.cancel_requested);
    s.Bind(3, core::NowMillis()).Bind(4, job_id);
    BEACON_CHECK(s.Run());
    return JobById(conn, job_id);
}

Result<core::JobLogLine> SqliteDatabase::AppendJobLog(std::int64_t job_id, const std::string& stage,
                                                      core::LogLevel level,
                                                      const std::string& message) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    core::JobLogLine l{0, job_id, core::NowMillis(), stage, level, message};
    Statement s(conn, "INSERT INTO job_logs(job_id, at, stage, level, message) VALUES(?,?,?,?,?)");
    s.Bind(1, job_id).Bind(2, l.at).Bind(3, stage).Bind(4, core::ToString(level)).Bind(5, message);
    BEACON_CHECK(s.Run());
    l.id = sqlite3_last_insert_rowid(conn.db);
    return l;
}

Result<std::vector<core::JobLogLine>> SqliteDatabase::GetJobLogs(std::int64_t job_id,
                                                                 std::int64_t after_id, int limit) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn,
                "SELECT id, job_id, at, stage, level, message FROM job_logs "
                "WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?");
    s.Bind(1, job_id).Bind(2, after_id).Bind(3, std::clamp(limit, 1, 5000));
    return Logs(s);
}

Result<std::vector<core::JobLogLine>> SqliteDatabase::GetRecentJobLogs(std::int64_t job_id,
                                                                       int limit) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn,
                "SELECT * FROM (SELECT id, job_id, at, stage, level, message FROM job_logs "
                "WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id");
    s.Bind(1, job_id).Bind(2, std::clamp(limit, 1, 5000));
    return Logs(s);
}

Result<core::Job> SqliteDatabase::JobById(sqlite::Connection& conn, std::int64_t id) {
    Statement s(conn, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
    s.Bind(1, id);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no job " + std::to_string(id));
    return ReadJob(s);
}

Result<std::optional<core::Job>> SqliteDatabase::ClaimLocked(sqlite::Connection& conn,
                                                             const std::string& worker_id,
                                                             core::UnixMillis now,
                                                             core::UnixMillis lease_until) {
    // Jobs flagged for cancel whose worker died: the machine cancels them (lease expired).
    static const std::string kDeadFrom =
        StatusIn(JobEvent::kLeaseExpired, false, true, JobState::kQueued,
                 [](const JobPosition& p) { return p.state == JobState::kCanceled; });
    Statement dead(conn,
                   "UPDATE jobs SET status = ?, lease_owner = NULL, updated_at = ? "
                   "WHERE cancel_requested = 1 AND " +
                       kDeadFrom + " AND (lease_owner IS NULL OR lease_expires < ?)");
    dead.Bind(1, std::string(core::ToString(JobState::kCanceled))).Bind(2, now).Bind(3, now);
    BEACON_CHECK(dead.Run());
    if (sqlite3_changes(conn.db) > 0) {
        BEACON_TRY(swept, SweepAbandonedLocked(conn));
        (void)swept;
    }
    // What a claimer may take: the states the machine lets an unheld, unflagged job be claimed
    // from (a held job's lease must have run out: lease_expires < now).
    static const std::string kClaimFrom = StatusIn(JobEvent::kClaim, false, false);
    Statement pick(conn,
                   "SELECT id FROM jobs WHERE " + kClaimFrom +
                       " AND cancel_requested = 0 AND run_after <= ? AND (lease_owner IS NULL OR "
                       "lease_expires < ?) AND (batch_id IS NULL OR NOT EXISTS (SELECT 1 FROM "
                       "batches b WHERE b.id = jobs.batch_id AND b.max_parallel > 0 AND "
                       "(SELECT COUNT(*) FROM jobs r WHERE r.batch_id = b.id AND r.lease_owner "
                       "IS NOT NULL AND r.lease_expires >= ?2 AND r.status NOT IN "
                       "('completed','failed','canceled')) >= b.max_parallel)) "
                       "ORDER BY priority, run_after, id LIMIT 1");
    pick.Bind(1, now).Bind(2, now);
    BEACON_TRY(row, pick.Step());
    if (!row) return std::optional<core::Job>();
    std::int64_t id = pick.Int(0);
    Statement claim(conn,
                    "UPDATE jobs SET lease_owner = ?, lease_expires = ?, "
                    "attempts = attempts + 1, updated_at = ? WHERE id = ?");
    claim.Bind(1, worker_id).Bind(2, lease_until).Bind(3, now).Bind(4, id);
    BEACON_CHECK(claim.Run());
    BEACON_TRY(job, JobById(conn, id));
    return std::optional<core::Job>(std::move(job));
}

Result<std::vector<core::JobLogLine>> SqliteDatabase::Logs(Statement& s) {
    std::vector<core::JobLogLine> out;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(ReadLog(s));
    }
    return out;
}

}  // namespace beacon::storage::sqlite_backend
