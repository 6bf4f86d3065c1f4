#include "remote/service.hpp"

#include <condition_variable>
#include <iostream>
#include <utility>

#include "jobs/worker_pool.hpp"
#include "server/auth.hpp"

namespace beacon::remote {

using core::Error;

namespace {

std::string Owner(const WorkerRecord& w) {
    // Unique per claim: a lease owner never matches an earlier claim of the same job.
    return "remote:" + std::to_string(w.id) + "@" + w.host + "/" + server::RandomToken(6);
}

}  // namespace

RemoteService::RemoteService(storage::WorkStores stores, storage::ObjectStore& store,
                             jobs::EventBus& events, Registry& registry, RemoteOptions options)
    : stores_(stores),
      store_(store),
      events_(events),
      registry_(registry),
      options_(std::move(options)) {}

RemoteService::~RemoteService() {
    watchdog_.request_stop();
    if (watchdog_.joinable()) watchdog_.join();
}

void RemoteService::StartWatchdog() {
    if (watchdog_.joinable()) return;
    watchdog_ = std::jthread([this](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        while (!stop.stop_requested()) {
            RunWatchdogOnce();
            std::unique_lock lock(m);
            cv.wait_for(lock, stop, options_.watchdog_period, [] { return false; });
        }
    });
}

int RemoteService::RunWatchdogOnce() {
    const auto now = core::NowMillis();
    auto silent = registry_.SilentAssignments(now - options_.silent_after.count());
    if (!silent.ok()) {
        std::cerr << "beacon: remote workers: watchdog: " << silent.error().message << "\n";
        return 0;
    }
    int requeued = 0;
    for (const auto& a : *silent) {
        std::lock_guard lock(mu_);
        // Marked lost first: from now on this job token is refused, whatever happens below.
        if (!registry_.SetAssignmentState(a.id, "lost").ok()) continue;
        (void)registry_.SetWorkerState(a.worker_id, "silent", std::nullopt, 0);
        // Only a job still held by that claim goes back (a lease that ran out may already have
        // been taken by another worker). Renewing to "now" both checks and ends the lease.
        auto held = stores_.jobs.RenewLease(a.job_id, a.owner, now);
        if (!held.ok() || !*held) continue;
        auto job = stores_.jobs.GetJob(a.job_id);
        if (!job.ok() || core::IsTerminal(job->status)) continue;
        const std::string reason = "remote worker " + std::to_string(a.worker_id) +
                                   " went silent for " +
                                   std::to_string((now - a.last_seen) / 1000) + " s; job re-queued";
        if (auto st = stores_.jobs.RequeueJob(a.job_id, 0, reason); !st.ok()) {
            std::cerr << "beacon: remote workers: cannot re-queue job " << a.job_id << ": "
                      << st.error().message << "\n";
            continue;
        }
        if (auto line = stores_.jobs.AppendJobLog(a.job_id, "", core::LogLevel::kWarn, reason);
            line.ok()) {
            events_.Publish(jobs::EventType::kJobLog, core::ToJson(*line));
        }
        std::cerr << "beacon: " << reason << " (job " << a.job_id << ")\n";
        Publish(a.job_id);
        ++requeued;
    }
    return requeued;
}

core::Result<std::pair<RegistrationToken, std::string>> RemoteService::CreateRegistrationToken(
    const std::string& name) {
    if (name.empty() || name.size() > 100) {
        return Error::Invalid("name: 1 to 100 characters");
    }
    std::string token = "bwr_" + server::RandomToken(32);
    BEACON_TRY(row, registry_.CreateRegistrationToken(name, server::HashToken(token)));
    return std::make_pair(row, token);
}

core::Result<std::pair<WorkerRecord, std::string>> RemoteService::Register(
    const std::string& registration_token, const std::string& name, const std::string& host) {
    auto reg = registry_.FindRegistrationToken(server::HashToken(registration_token));
    if (!reg.ok()) {
        if (reg.error().code == core::ErrorCode::kNotFound) {
            return Error{core::ErrorCode::kUnauthorized,
                         "the registration token is wrong or was revoked"};
        }
        return reg.error();
    }
    if (name.size() > 100 || host.size() > 255) return Error::Invalid("name or host too long");
    std::string secret = "bwk_" + server::RandomToken(32);
    BEACON_TRY(w, registry_.AddWorker(name.empty() ? host : name, host, reg->id,
                                      server::HashToken(secret)));
    return std::make_pair(w, secret);
}

core::Result<WorkerRecord> RemoteService::AuthenticateWorker(const std::string& worker_token) {
    auto w = registry_.FindWorker(server::HashToken(worker_token));
    if (!w.ok()) {
        if (w.error().code == core::ErrorCode::kNotFound) {
            return Error{core::ErrorCode::kUnauthorized, w.error().message};
        }
        return w.error();
    }
    (void)registry_.TouchWorker(w->id, core::NowMillis());
    return w;
}

core::Result<std::optional<std::pair<core::Job, std::string>>> RemoteService::Claim(
    const WorkerRecord& w) {
    std::lock_guard lock(mu_);
    const auto now = core::NowMillis();
    // The owner names the claim; it is fixed before the job is known, then recorded with it.
    const std::string owner = Owner(w);
    BEACON_TRY(claimed, stores_.jobs.ClaimJob(owner, now, now + options_.silent_after.count()));
    if (!claimed.has_value()) {
        (void)registry_.SetWorkerState(w.id, "idle", std::nullopt, now);
        return std::optional<std::pair<core::Job, std::string>>();
    }
    core::Job job = std::move(*claimed);
    std::string token = "bwj_" + server::RandomToken(32);
    auto a = registry_.AddAssignment(w.id, job.id, owner, server::HashToken(token), now);
    if (!a.ok()) {
        (void)stores_.jobs.RequeueJob(job.id, 0, "");
        return a.error();
    }
    (void)registry_.SetWorkerState(w.id, "busy", job.id, now);
    if (auto line = stores_.jobs.AppendJobLog(job.id, "", core::LogLevel::kInfo,
                                              "claimed by remote worker " + std::to_string(w.id) +
                                                  " (" + w.name + " on " + w.host + ")");
        line.ok()) {
        events_.Publish(jobs::EventType::kJobLog, core::ToJson(*line));
    }
    return std::optional(std::make_pair(std::move(job), std::move(token)));
}

core::Result<JobGrant> RemoteService::Authorize(const std::string& job_token, std::int64_t job_id) {
    const Error unauthorized{core::ErrorCode::kUnauthorized,
                             "unknown job token, or one for another job"};
    auto a = registry_.FindAssignment(server::HashToken(job_token));
    if (!a.ok()) return a.error().code == core::ErrorCode::kNotFound ? unauthorized : a.error();
    if (a->job_id != job_id) return unauthorized;
    JobGrant g;
    g.assignment = *a;
    {
        auto workers = registry_.ListWorkers();
        if (!workers.ok()) return workers.error();
        bool found = false;
        for (const auto& w : *workers) {
            if (w.id == a->worker_id) {
                g.worker = w;
                found = true;
            }
        }
        if (!found || g.worker.revoked) {
            return Error{core::ErrorCode::kUnauthorized,
                         "this worker's registration token was revoked"};
        }
    }
    if (a->state != "running") {
        return Error::Conflict("job " + std::to_string(job_id) + " is no longer this worker's (" +
                               (a->state == "lost" ? std::string("it went silent and the job was "
                                                                 "re-queued")
                                                   : "it was " + a->state) +
                               ")");
    }
    return g;
}

core::Result<bool> RemoteService::Heartbeat(const JobGrant& g) {
    std::lock_guard lock(mu_);
    return HeartbeatLocked(g);
}

core::Result<bool> RemoteService::HeartbeatLocked(const JobGrant& g) {
    const auto now = core::NowMillis();
    BEACON_TRY(held, stores_.jobs.RenewLease(g.assignment.job_id, g.assignment.owner,
                                             now + options_.silent_after.count()));
    if (held) {
        (void)registry_.TouchAssignment(g.assignment.id, now);
        (void)registry_.TouchWorker(g.worker.id, now);
    }
    return held;
}

core::Status RemoteService::Progress(const JobGrant& g, core::JobState state, int progress) {
    {
        // One lock with the watchdog: a job it re-queued never gets a running state back.
        std::lock_guard lock(mu_);
        BEACON_TRY(held, HeartbeatLocked(g));
        if (!held) return Error::Conflict("the lease on this job is no longer this worker's");
        BEACON_CHECK(stores_.jobs.UpdateJobProgress(g.assignment.job_id, state, progress));
    }
    Publish(g.assignment.job_id);
    return {};
}

core::Status RemoteService::Finish(const JobGrant& g, core::JobState state,
                                   const std::optional<core::Error>& error,
                                   std::optional<std::int64_t> content_id) {
    if (!core::IsTerminal(state)) return Error::Invalid("state: completed, failed or canceled");
    std::lock_guard lock(mu_);
    // Under the lock the watchdog cannot take the job between this check and the write; a
    // lease that is no longer this claim's (re-queued, or claimed by another worker) refuses.
    const auto now = core::NowMillis();
    BEACON_TRY(held, stores_.jobs.RenewLease(g.assignment.job_id, g.assignment.owner,
                                             now + options_.silent_after.count()));
    if (!held) {
        (void)registry_.SetAssignmentState(g.assignment.id, "lost");
        return Error::Conflict("job " + std::to_string(g.assignment.job_id) +
                               " is no longer this worker's; its end was not recorded");
    }
    BEACON_CHECK(stores_.jobs.FinishJob(g.assignment.job_id, state, error, content_id));
    (void)registry_.SetAssignmentState(g.assignment.id, "finished");
    // Said here: the worker's own line after this call is refused (its job token has ended).
    if (auto line =
            stores_.jobs.AppendJobLog(g.assignment.job_id, "", core::LogLevel::kInfo,
                                      std::string(core::ToString(state)) + " on remote worker " +
                                          std::to_string(g.worker.id) + " (" + g.worker.name + ")");
        line.ok()) {
        events_.Publish(jobs::EventType::kJobLog, core::ToJson(*line));
    }
    (void)registry_.SetWorkerState(g.worker.id, "idle", std::nullopt, now);
    if (state == core::JobState::kCompleted) (void)registry_.CountJobDone(g.worker.id);
    Publish(g.assignment.job_id);
    return {};
}

core::Status RemoteService::Requeue(const JobGrant& g, core::UnixMillis run_after,
                                    const std::string& reason) {
    std::lock_guard lock(mu_);
    const auto now = core::NowMillis();
    BEACON_TRY(held, stores_.jobs.RenewLease(g.assignment.job_id, g.assignment.owner, now));
    if (!held) return Error::Conflict("the lease on this job is no longer this worker's");
    BEACON_CHECK(stores_.jobs.RequeueJob(g.assignment.job_id, run_after, reason));
    (void)registry_.SetAssignmentState(g.assignment.id, "released");
    (void)registry_.SetWorkerState(g.worker.id, "idle", std::nullopt, now);
    Publish(g.assignment.job_id);
    return {};
}

core::Status RemoteService::SignOff(const WorkerRecord& w) {
    return registry_.SetWorkerState(w.id, "stopped", std::nullopt, core::NowMillis());
}

bool RemoteService::MayWrite(const JobGrant& g, std::string_view key) {
    if (!storage::IsValidKey(key)) return false;
    const std::string job_dir = "jobs/" + std::to_string(g.assignment.job_id) + "/";
    if (key.starts_with(job_dir)) return true;
    if (key.starts_with("library/")) {
        auto rest = key.substr(8);
        auto slash = rest.find('/');
        if (slash == std::string_view::npos) return false;
        try {
            return MayTouchContent(g, std::stoll(std::string(rest.substr(0, slash))));
        } catch (const std::exception&) {
            return false;
        }
    }
    if (key.starts_with("uploads/")) {
        // An import's own upload (it deletes its source when done).
        auto job = stores_.jobs.GetJob(g.assignment.job_id);
        if (!job.ok()) return false;
        const std::string source = job->params.value("source_key", std::string());
        auto slash = source.rfind('/');
        return !source.empty() && slash != std::string::npos &&
               key.starts_with(source.substr(0, slash + 1));
    }
    return false;
}

bool RemoteService::MayTouchContent(const JobGrant& g, std::int64_t content_id) {
    auto job = stores_.jobs.GetJob(g.assignment.job_id);
    if (!job.ok()) return false;
    if (job->content_id && *job->content_id == content_id) return true;
    if (job->params.is_object() && job->params.value("content_id", std::int64_t{0}) == content_id)
        return true;
    return false;
}

void RemoteService::Publish(std::int64_t job_id) {
    if (auto job = stores_.jobs.GetJob(job_id); job.ok()) jobs::PublishJob(events_, *job);
}

}  // namespace beacon::remote
