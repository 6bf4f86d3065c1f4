// PostgreSQL backend: the job queue and batches (storage::JobStore, storage::BatchStore).
#include "core/job_machine.hpp"
#include "storage/postgres_backend.hpp"

namespace beacon::storage::postgres_backend {

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

Result<core::Job> PostgresDatabase::CreateJob(std::int64_t user_id,
                                              const core::GenerateRequest& r) {
    return CreateJobOfKind(user_id, core::JobKind::kGenerate, Json::object(), r);
}

Result<core::Job> PostgresDatabase::CreateJobOfKind(std::int64_t user_id, core::JobKind kind,
                                                    const core::Json& params,
                                                    const core::GenerateRequest& r) {
    Lease lease(*this);
    const auto now = core::NowMillis();
    BEACON_TRY(
        rows, lease.conn.Query(std::string("INSERT INTO jobs(user_id, prompt_text, title, style, "
                                           "voice, language, duration_target, output_preset, "
                                           "produce_preview, status, created_at, updated_at, kind, "
                                           "params) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,'queued',"
                                           "$10,$10,$11,$12) RETURNING ") +
                                   kJobColumns,
                               Params()
                                   .Add(user_id)
                                   .Add(r.prompt)
                                   .Add(r.title)
                                   .Add(r.style)
                                   .Add(r.voice)
                                   .Add(r.language)
                                   .Add(r.duration_target)
                                   .Add(r.output_preset)
                                   .Add(r.produce_preview)
                                   .Add(now)
                                   .Add(core::ToString(kind))
                                   .Add(params.dump())));
    return ReadJob(rows, 0);
}

Result<Batch> PostgresDatabase::CreateBatch(std::int64_t user_id, const std::string& name,
                                            int max_parallel,
                                            const std::vector<core::GenerateRequest>& items) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    std::int64_t batch_id = 0;
    BEACON_CHECK(pg::InTransaction(conn, [&]() -> Status {
        const auto now = core::NowMillis();
        BEACON_TRY(b, conn.Query("INSERT INTO batches(user_id, name, max_parallel, created_at) "
                                 "VALUES($1,$2,$3,$4) RETURNING id",
                                 Params().Add(user_id).Add(name).Add(max_parallel).Add(now)));
        batch_id = b.Int(0, 0);
        for (const auto& r : items) {
            BEACON_TRY(j, conn.Query("INSERT INTO jobs(user_id, prompt_text, title, style, "
                                     "voice, language, duration_target, output_preset, "
                                     "produce_preview, status, created_at, updated_at, "
                                     "batch_id, priority) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,"
                                     "'queued',$10,$10,$11,1)",
                                     Params()
                                         .Add(user_id)
                                         .Add(r.prompt)
                                         .Add(r.title)
                                         .Add(r.style)
                                         .Add(r.voice)
                                         .Add(r.language)
                                         .Add(r.duration_target)
                                         .Add(r.output_preset)
                                         .Add(r.produce_preview)
                                         .Add(now)
                                         .Add(batch_id)));
            (void)j;
        }
        return {};
    }));
    return BatchById(conn, batch_id);
}

Result<Batch> PostgresDatabase::GetBatch(std::int64_t id) {
    Lease lease(*this);
    return BatchById(lease.conn, id);
}

Result<std::vector<Batch>> PostgresDatabase::ListBatches(std::int64_t user_id, int limit) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("SELECT id FROM batches WHERE user_id = $1 ORDER BY id "
                                   "DESC LIMIT $2",
                                   Params().Add(user_id).Add(std::clamp(limit, 1, 200))));
    std::vector<Batch> out;
    for (int i = 0; i < r.size(); ++i) {
        BEACON_TRY(b, BatchById(lease.conn, r.Int(i, 0)));
        out.push_back(std::move(b));
    }
    return out;
}

Result<Batch> PostgresDatabase::BatchById(pg::Connection& conn, std::int64_t id) {
    BEACON_TRY(r, conn.Query("SELECT id, user_id, name, max_parallel, created_at FROM batches "
                             "WHERE id = $1",
                             Params().Add(id)));
    if (r.empty()) return Error::NotFound("no batch " + std::to_string(id));
    Batch b;
    b.id = r.Int(0, 0);
    b.user_id = r.Int(0, 1);
    b.name = r.Text(0, 2);
    b.max_parallel = static_cast<int>(r.Int(0, 3));
    b.created_at = r.Int(0, 4);
    BEACON_TRY(j, conn.Query("SELECT id, status, progress FROM jobs WHERE batch_id = $1 "
                             "ORDER BY id",
                             Params().Add(id)));
    std::int64_t progress = 0;
    for (int i = 0; i < j.size(); ++i) {
        b.job_ids.push_back(j.Int(i, 0));
        std::string st = j.Text(i, 1);
        ++b.counts[st];
        progress += st == "completed" || st == "failed" || st == "canceled" ? 100 : j.Int(i, 2);
    }
    if (!b.job_ids.empty()) {
        b.progress = static_cast<int>(progress / static_cast<std::int64_t>(b.job_ids.size()));
    }
    return b;
}

Result<core::Job> PostgresDatabase::GetJob(std::int64_t id) {
    Lease lease(*this);
    return JobById(lease.conn, id);
}

Result<std::string> PostgresDatabase::JobFingerprint(std::int64_t id) {
    Lease lease(*this);
    BEACON_TRY(
        r, lease.conn.Query("SELECT updated_at, (SELECT COALESCE(MAX(id), 0) FROM job_logs WHERE "
                            "job_id = $1), (SELECT COALESCE(MAX(id), 0) FROM assets WHERE job_id = "
                            "$1), length(stages::text), status || ':' || progress || ':' || "
                            "attempts || ':' || cancel_requested || ':' || length(preview_url || "
                            "final_url || thumbnail_url || vtt_url || error_log) || ':' || "
                            "COALESCE(content_id, 0) FROM jobs WHERE id = $1",
                            Params().Add(id)));
    if (r.empty()) return Error::NotFound("no job " + std::to_string(id));
    return r.Text(0, 0) + "/" + r.Text(0, 1) + "/" + r.Text(0, 2) + "/" + r.Text(0, 3) + "/" +
           r.Text(0, 4);
}

Result<Page<core::Job>> PostgresDatabase::ListJobs(const JobQuery& q) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    const int limit = std::clamp(q.limit, 1, 200);
    const std::string state = q.state ? std::string(core::ToString(*q.state)) : "";
    // One statement shape for both cases: an empty state means "any".
    const char* where = " WHERE ($1 = '' OR status = $1)";
    Page<core::Job> page;
    BEACON_TRY(c,
               conn.Query(std::string("SELECT COUNT(*) FROM jobs") + where, Params().Add(state)));
    page.total = c.empty() ? 0 : c.Int(0, 0);
    BEACON_TRY(r,
               conn.Query(std::string("SELECT ") + kJobColumns + " FROM jobs" + where +
                              " ORDER BY id DESC LIMIT $2 OFFSET $3",
                          Params().Add(state).Add(limit).Add(std::max<std::int64_t>(0, q.offset))));
    for (int i = 0; i < r.size(); ++i) page.items.push_back(ReadJob(r, i));
    return page;
}

Result<std::optional<core::Job>> PostgresDatabase::ClaimJob(const std::string& worker_id,
                                                            core::UnixMillis now,
                                                            core::UnixMillis lease_until) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    return pg::InTransaction(conn, [&]() -> Result<std::optional<core::Job>> {
        // Jobs flagged for cancel whose worker died: the machine cancels them (lease expired).
        // SKIP LOCKED: a row another claimer is touching is left to it (no waiting, no
        // deadlock).
        static const std::string kDeadFrom =
            StatusIn(JobEvent::kLeaseExpired, false, true, JobState::kQueued,
                     [](const JobPosition& p) { return p.state == JobState::kCanceled; });
        BEACON_TRY(
            dead,
            conn.Query(std::string("UPDATE jobs SET status = $2, lease_owner = "
                                   "NULL, updated_at = $1 WHERE id IN (SELECT id FROM "
                                   "jobs WHERE cancel_requested AND ") +
                           kDeadFrom +
                           " AND (lease_owner IS NULL OR lease_expires < $1) FOR "
                           "UPDATE SKIP LOCKED)",
                       Params().Add(now).Add(std::string(core::ToString(JobState::kCanceled)))));
        if (dead.affected() > 0) {
            BEACON_TRY(swept, SweepAbandonedLocked(conn));
            (void)swept;
        }
        // The oldest runnable job, locked by this transaction; rows locked by concurrent
        // claimers are skipped, so two workers never take the same job. Runnable: a state the
        // machine lets an unheld, unflagged job be claimed from.
        static const std::string kClaimFrom = StatusIn(JobEvent::kClaim, false, false);
        BEACON_TRY(
            r, conn.Query(std::string("UPDATE jobs SET lease_owner = $1, lease_expires = $2, "
                                      "attempts = attempts + 1, updated_at = $3 WHERE id = "
                                      "(SELECT id FROM jobs WHERE ") +
                              kClaimFrom +
                              " AND NOT cancel_requested AND run_after <= $3 AND "
                              "(lease_owner IS NULL OR lease_expires < $3) AND (batch_id IS "
                              "NULL OR NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = "
                              "jobs.batch_id AND b.max_parallel > 0 AND (SELECT COUNT(*) FROM "
                              "jobs r WHERE r.batch_id = b.id AND r.lease_owner IS NOT NULL "
                              "AND r.lease_expires >= $3 AND r.status NOT IN "
                              "('completed','failed','canceled')) >= b.max_parallel)) ORDER BY "
                              "priority, run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " +
                              kJobColumns,
                          Params().Add(worker_id).Add(lease_until).Add(now)));
        if (r.empty()) return std::optional<core::Job>();
        return std::optional<core::Job>(ReadJob(r, 0));
    });
}

Result<bool> PostgresDatabase::RenewLease(std::int64_t job_id, const std::string& worker_id,
                                          core::UnixMillis lease_until) {
    Lease lease(*this);
    BEACON_TRY(
        r, lease.conn.Query("UPDATE jobs SET lease_expires = $1 WHERE id = $2 AND lease_owner = $3",
                            Params().Add(lease_until).Add(job_id).Add(worker_id)));
    return r.affected() > 0;
}

Result<int> PostgresDatabase::ReleaseLeases(const std::string& owner_prefix) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("UPDATE jobs SET lease_owner = NULL, lease_expires = 0 "
                                   "WHERE starts_with(lease_owner, $1)",
                                   Params().Add(owner_prefix)));
    return static_cast<int>(r.affected());
}

Status PostgresDatabase::UpdateJobProgress(std::int64_t job_id, JobState state, int progress) {
    // The stage's state, from any state the machine lets a stage advance from.
    BEACON_TRY(next, core::NextJobPosition({JobState::kQueued, true}, JobEvent::kAdvance, state));
    Lease lease(*this);
    BEACON_CHECK(lease.conn.Query(
        std::string("UPDATE jobs SET status = $1, progress = $2, updated_at = $3 WHERE id = "
                    "$4 AND ") +
            StatusIn(JobEvent::kAdvance, true, false, state),
        Params()
            .Add(std::string(core::ToString(next.state)))
            .Add(std::clamp(progress, 0, 100))
            .Add(core::NowMillis())
            .Add(job_id)));
    return {};
}

Status PostgresDatabase::RecordStage(std::int64_t job_id, const std::string& stage,
                                     const Json& outputs) {
    Lease lease(*this);
    // One key merged in place: concurrent stage writers never lose each other's outputs.
    BEACON_TRY(r, lease.conn.Query(
                      "UPDATE jobs SET stages = stages || jsonb_build_object("
                      "$1::text, $2::jsonb), updated_at = $3 WHERE id = $4",
                      Params().Add(stage).Add(outputs.dump()).Add(core::NowMillis()).Add(job_id)));
    if (r.affected() == 0) return Error::NotFound("no job " + std::to_string(job_id));
    return {};
}

Status PostgresDatabase::ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) {
    Lease lease(*this);
    BEACON_TRY(
        r, lease.conn.Query("UPDATE jobs SET stages = stages - $1::text[], updated_at "
                            "= $2 WHERE id = $3",
                            Params().Add(TextArray(stages)).Add(core::NowMillis()).Add(job_id)));
    if (r.affected() == 0) return Error::NotFound("no job " + std::to_string(job_id));
    return {};
}

Status PostgresDatabase::SetJobUrls(std::int64_t job_id, const Json& urls) {
    Lease lease(*this);
    // NULL keeps a column as it is; one statement, so all of them land or none.
    auto opt = [&](const char* col, Params& p) {
        if (urls.contains(col) && urls[col].is_string()) {
            p.Add(urls[col].get<std::string>());
        } else {
            p.AddNull();
        }
    };
    Params p;
    opt("preview_url", p);
    opt("final_url", p);
    opt("thumbnail_url", p);
    opt("vtt_url", p);
    p.Add(core::NowMillis()).Add(job_id);
    BEACON_CHECK(lease.conn.Query(
        "UPDATE jobs SET preview_url = COALESCE($1, preview_url), final_url = COALESCE($2, "
        "final_url), thumbnail_url = COALESCE($3, thumbnail_url), vtt_url = COALESCE($4, "
        "vtt_url), updated_at = $5 WHERE id = $6",
        p));
    return {};
}

Status PostgresDatabase::FinishJob(std::int64_t job_id, JobState final_state,
                                   const std::optional<core::Error>& error,
                                   std::optional<std::int64_t> content_id) {
    // The machine decides the end state and from which states a job may end so (never twice).
    BEACON_TRY(event, core::FinishEventFor(final_state));
    BEACON_TRY(next, core::NextJobPosition({JobState::kQueued, true}, event));
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    const bool completed = next.state == JobState::kCompleted;
    Params p;
    p.Add(std::string(core::ToString(next.state)))
        .Add(completed)
        .Add(error ? error->message : std::string())
        .Add(error ? std::string(core::ToString(error->code)) : std::string())
        .Add(content_id)
        .Add(core::NowMillis())
        .Add(job_id);
    const std::string sql =
        "UPDATE jobs SET status = $1, progress = CASE WHEN $2 THEN 100 ELSE progress END, "
        "error_log = $3, error_code = $4, content_id = COALESCE($5, content_id), "
        "lease_owner = NULL, lease_expires = 0, updated_at = $6 WHERE id = $7 AND " +
        StatusIn(event, true, false);
    auto run = [&]() -> Status {
        BEACON_TRY(r, conn.Query(sql, p));
        if (r.affected() == 0) return Refusal(JobById(conn, job_id), event, job_id);
        return {};
    };
    if (completed) return run();
    // A failed or canceled job's half-composed library row goes with it.
    return pg::InTransaction(conn, [&]() -> Status {
        BEACON_CHECK(run());
        BEACON_TRY(swept, SweepAbandonedLocked(conn));
        (void)swept;
        return {};
    });
}

Status PostgresDatabase::RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                                    const std::string& reason) {
    BEACON_TRY(next, core::NextJobPosition({JobState::kQueued, true}, JobEvent::kRequeue));
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query(
                      "UPDATE jobs SET status = $5, run_after = $1, error_log = $2, lease_owner = "
                      "NULL, lease_expires = 0, updated_at = $3 WHERE id = $4 AND " +
                          StatusIn(JobEvent::kRequeue, true, false),
                      Params()
                          .Add(run_after)
                          .Add(reason)
                          .Add(core::NowMillis())
                          .Add(job_id)
                          .Add(std::string(core::ToString(next.state)))));
    if (r.affected() == 0) return Refusal(JobById(lease.conn, job_id), JobEvent::kRequeue, job_id);
    return {};
}

Result<core::Job> PostgresDatabase::RequestCancel(std::int64_t job_id) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    return pg::InTransaction(conn, [&]() -> Result<core::Job> {
        // The row is locked for the check and the change (no claim slips in between).
        BEACON_TRY(r, conn.Query(std::string("SELECT ") + kJobColumns +
                                     " FROM jobs WHERE id = $1 FOR UPDATE",
                                 Params().Add(job_id)));
        if (r.empty()) return Error::NotFound("no job " + std::to_string(job_id));
        core::Job job = ReadJob(r, 0);
        // The machine's answer for an unheld job (canceled at once) and a held one (flagged
        // for its worker); the lease decides which, in the statement.
        BEACON_TRY(unheld,
                   core::NextJobPosition({job.status, false, job.cancel_requested},
                                         JobEvent::kRequestCancel, JobState::kQueued, job_id));
        BEACON_TRY(held, core::NextJobPosition({job.status, true, job.cancel_requested},
                                               JobEvent::kRequestCancel));
        const auto now = core::NowMillis();
        BEACON_CHECK(conn.Query(
            "UPDATE jobs SET cancel_requested = true, updated_at = $1, status = CASE WHEN "
            "lease_owner IS NULL OR lease_expires < $1 THEN $3 ELSE $4 END, "
            "lease_owner = CASE WHEN lease_owner IS NULL OR lease_expires < $1 THEN NULL "
            "ELSE lease_owner END WHERE id = $2",
            Params()
                .Add(now)
                .Add(job_id)
                .Add(std::string(core::ToString(unheld.state)))
                .Add(std::string(core::ToString(held.state)))));
        BEACON_TRY(swept, SweepAbandonedLocked(conn));
        (void)swept;
        return JobById(conn, job_id);
    });
}

Result<core::Job> PostgresDatabase::RetryJob(std::int64_t job_id) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    // The state guard is in the statement (a concurrent change cannot slip in between), built
    // from the machine, which also gives the state written and the refusal.
    BEACON_TRY(next, core::NextJobPosition({JobState::kFailed}, JobEvent::kRetry));
    BEACON_TRY(
        r, conn.Query(std::string("UPDATE jobs SET status = $3, progress = 0, attempts "
                                  "= 0, run_after = 0, cancel_requested = false, error_log = "
                                  "'', error_code = '', lease_owner = NULL, lease_expires = 0, "
                                  "updated_at = $1 WHERE id = $2 AND ") +
                          StatusIn(JobEvent::kRetry, false, false) + " RETURNING " + kJobColumns,
                      Params()
                          .Add(core::NowMillis())
                          .Add(job_id)
                          .Add(std::string(core::ToString(next.state)))));
    if (!r.empty()) return ReadJob(r, 0);
    return Refusal(JobById(conn, job_id), JobEvent::kRetry, job_id).error();
}

Result<core::Job> PostgresDatabase::ReopenJob(std::int64_t job_id) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    BEACON_TRY(next, core::NextJobPosition({JobState::kCompleted}, JobEvent::kReopen));
    BEACON_TRY(
        r, conn.Query(std::string("UPDATE jobs SET status = $3, attempts = 0, run_after "
                                  "= 0, cancel_requested = false, error_log = '', error_code "
                                  "= '', lease_owner = NULL, lease_expires = 0, updated_at = "
                                  "$1 WHERE id = $2 AND ") +
                          StatusIn(JobEvent::kReopen, false, false) + " RETURNING " + kJobColumns,
                      Params()
                          .Add(core::NowMillis())
                          .Add(job_id)
                          .Add(std::string(core::ToString(next.state)))));
    if (!r.empty()) return ReadJob(r, 0);
    return Refusal(JobById(conn, job_id), JobEvent::kReopen, job_id).error();
}

Result<core::JobLogLine> PostgresDatabase::AppendJobLog(std::int64_t job_id,
                                                        const std::string& stage,
                                                        core::LogLevel level,
                                                        const std::string& message) {
    Lease lease(*this);
    core::JobLogLine l{0, job_id, core::NowMillis(), stage, level, message};
    BEACON_TRY(
        r, lease.conn.Query(
               "INSERT INTO job_logs(job_id, at, stage, level, message) "
               "VALUES($1, $2, $3, $4, $5) RETURNING id",
               Params().Add(job_id).Add(l.at).Add(stage).Add(core::ToString(level)).Add(message)));
    l.id = r.Int(0, 0);
    return l;
}

Result<std::vector<core::JobLogLine>> PostgresDatabase::GetJobLogs(std::int64_t job_id,
                                                                   std::int64_t after_id,
                                                                   int limit) {
    Lease lease(*this);
    BEACON_TRY(
        r, lease.conn.Query("SELECT id, job_id, at, stage, level, message FROM "
                            "job_logs WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                            Params().Add(job_id).Add(after_id).Add(std::clamp(limit, 1, 5000))));
    return ReadLogs(r);
}

Result<std::vector<core::JobLogLine>> PostgresDatabase::GetRecentJobLogs(std::int64_t job_id,
                                                                         int limit) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("SELECT * FROM (SELECT id, job_id, at, stage, level, "
                                   "message FROM job_logs WHERE job_id = $1 ORDER BY id DESC "
                                   "LIMIT $2) t ORDER BY id",
                                   Params().Add(job_id).Add(std::clamp(limit, 1, 5000))));
    return ReadLogs(r);
}

Result<core::Job> PostgresDatabase::JobById(pg::Connection& conn, std::int64_t id) {
    BEACON_TRY(r, conn.Query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = $1",
                             Params().Add(id)));
    if (r.empty()) return Error::NotFound("no job " + std::to_string(id));
    return ReadJob(r, 0);
}

}  // namespace beacon::storage::postgres_backend
