#include "support/memory_database.hpp"

#include "core/job_machine.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

namespace beacon::testing {

using core::Error;
using core::JobEvent;
using core::JobPosition;
using core::JobState;
using core::Json;
using core::Result;
using core::Status;
using core::UnixMillis;

namespace {

struct JobRow {
    core::Job job;
    std::optional<std::string> lease_owner;
    UnixMillis lease_expires = 0;
};

struct BatchRow {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;
    int max_parallel = 0;
    UnixMillis created_at = 0;
};

struct ObjectDelete {
    std::string prefix;
    UnixMillis due_at = 0;
    bool taken = false;
};

struct PlaylistRow {
    core::Playlist playlist;
    std::string state;
};

/// Lower-cased words: runs of ASCII letters and digits and of any non-ASCII bytes (as the
/// search query is cut in SQLite's FtsQuery).
std::vector<std::string> Words(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || u >= 0x80) {
            word += static_cast<char>(std::tolower(u));
        } else if (!word.empty()) {
            out.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

bool Matches(const core::Content& c, const std::vector<std::string>& query) {
    std::vector<std::string> words;
    for (const std::string* field : {&c.title, &c.description, &c.prompt, &c.transcript}) {
        auto w = Words(*field);
        words.insert(words.end(), w.begin(), w.end());
    }
    return std::all_of(query.begin(), query.end(), [&](const std::string& q) {
        return std::any_of(words.begin(), words.end(),
                           [&](const std::string& w) { return w.starts_with(q); });
    });
}

std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

struct MemoryDatabase::State {
    std::mutex mu;
    std::int64_t next_user = 0, next_token = 0, next_job = 0, next_log = 0, next_batch = 0,
                 next_content = 0, next_asset = 0, next_playlist = 0;
    std::map<std::int64_t, core::User> users;
    std::map<std::string, Session> sessions;                       // by id hash
    std::map<std::int64_t, std::pair<Token, std::string>> tokens;  // id → token, hash
    std::map<std::int64_t, JobRow> jobs;
    std::vector<core::JobLogLine> logs;  // ids ascending
    std::map<std::int64_t, BatchRow> batches;
    std::map<std::int64_t, core::Content> content;
    std::vector<ObjectDelete> object_deletes;
    std::map<std::int64_t, core::Asset> assets;
    std::map<std::int64_t, PlaylistRow> playlists;

    Result<JobRow*> Job(std::int64_t id) {
        auto it = jobs.find(id);
        if (it == jobs.end()) return Error::NotFound("no job " + std::to_string(id));
        return &it->second;
    }
    Result<core::Content> ContentById(std::int64_t id, bool include_pending) {
        auto it = content.find(id);
        if (it == content.end() || (it->second.pending && !include_pending)) {
            return Error::NotFound("no content " + std::to_string(id));
        }
        return it->second;
    }
    Status DeleteContent(std::int64_t id) {
        if (content.erase(id) == 0) return Error::NotFound("no content " + std::to_string(id));
        for (auto& [_, a] : assets) {
            if (a.content_id == id) a.content_id.reset();
        }
        for (auto& [_, j] : jobs) {
            if (j.job.content_id == id) j.job.content_id.reset();
        }
        return {};
    }
    /// Pending rows no live job will finish go, their files scheduled for deletion now.
    int SweepAbandoned() {
        std::vector<std::int64_t> ids;
        for (const auto& [id, c] : content) {
            if (!c.pending) continue;
            const bool live = std::any_of(jobs.begin(), jobs.end(), [&](const auto& j) {
                return j.second.job.content_id == id && j.second.job.status != JobState::kFailed &&
                       j.second.job.status != JobState::kCanceled;
            });
            if (!live) ids.push_back(id);
        }
        const UnixMillis now = core::NowMillis();
        for (std::int64_t id : ids) {
            (void)DeleteContent(id);
            object_deletes.push_back({"library/" + std::to_string(id) + "/", now, false});
        }
        return static_cast<int>(ids.size());
    }
    storage::Batch BatchOf(const BatchRow& row) {
        storage::Batch b;
        b.id = row.id;
        b.user_id = row.user_id;
        b.name = row.name;
        b.max_parallel = row.max_parallel;
        b.created_at = row.created_at;
        std::int64_t progress = 0;
        for (const auto& [id, j] : jobs) {
            if (j.job.batch_id != row.id) continue;
            b.job_ids.push_back(id);
            ++b.counts[std::string(core::ToString(j.job.status))];
            progress += core::IsTerminal(j.job.status) ? 100 : j.job.progress;
        }
        if (!b.job_ids.empty()) {
            b.progress = static_cast<int>(progress / static_cast<std::int64_t>(b.job_ids.size()));
        }
        return b;
    }
    core::Job NewJob(std::int64_t user_id, const core::GenerateRequest& r) {
        const UnixMillis now = core::NowMillis();
        JobRow row;
        row.job.id = ++next_job;
        row.job.user_id = user_id;
        row.job.request = r;
        row.job.created_at = now;
        row.job.updated_at = now;
        jobs[row.job.id] = row;
        return row.job;
    }
    Result<core::Playlist> InsertPlaylist(const core::Playlist& p) {
        for (const auto& [_, row] : playlists) {
            if (row.playlist.slug == p.slug) {
                return Error::Conflict("a channel named '" + p.slug + "' already exists");
            }
        }
        const UnixMillis now = core::NowMillis();
        PlaylistRow row{p, ""};
        row.playlist.id = ++next_playlist;
        row.playlist.hls_endpoint = "/live/" + p.slug + "/index.m3u8";
        row.playlist.created_at = now;
        row.playlist.updated_at = now;
        playlists[row.playlist.id] = row;
        return row.playlist;
    }
};

MemoryDatabase::MemoryDatabase() : state_(std::make_shared<State>()) {}
MemoryDatabase::MemoryDatabase(std::shared_ptr<State> state) : state_(std::move(state)) {}
MemoryDatabase::~MemoryDatabase() = default;

std::unique_ptr<MemoryDatabase> MemoryDatabase::Reopen() const {
    return std::unique_ptr<MemoryDatabase>(new MemoryDatabase(state_));
}

// ---- accounts -----------------------------------------------------------------------------------

Result<core::User> MemoryDatabase::GetOrCreateUser(const std::string& name) {
    std::lock_guard lock(state_->mu);
    for (const auto& [_, u] : state_->users) {
        if (u.name == name) return u;
    }
    core::User u{++state_->next_user, name, "", "", core::NowMillis()};
    state_->users[u.id] = u;
    return u;
}

Result<core::User> MemoryDatabase::GetUserById(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    auto it = state_->users.find(id);
    if (it == state_->users.end()) return Error::NotFound("no such user");
    return it->second;
}

Result<core::User> MemoryDatabase::GetUserByName(const std::string& name) {
    std::lock_guard lock(state_->mu);
    for (const auto& [_, u] : state_->users) {
        if (u.name == name) return u;
    }
    return Error::NotFound("no such user");
}

Result<core::User> MemoryDatabase::GetUserByStreamKey(const std::string& key) {
    if (key.empty()) return Error::NotFound("no such stream key");
    std::lock_guard lock(state_->mu);
    for (const auto& [_, u] : state_->users) {
        if (u.stream_key == key) return u;
    }
    return Error::NotFound("no such user");
}

Status MemoryDatabase::SetPasswordHash(std::int64_t user_id, const std::string& hash) {
    std::lock_guard lock(state_->mu);
    if (auto it = state_->users.find(user_id); it != state_->users.end()) {
        it->second.password_hash = hash;
    }
    std::erase_if(state_->sessions, [&](const auto& s) { return s.second.user_id == user_id; });
    return {};
}

Status MemoryDatabase::SetStreamKey(std::int64_t user_id, const std::string& key) {
    std::lock_guard lock(state_->mu);
    if (auto it = state_->users.find(user_id); it != state_->users.end()) {
        it->second.stream_key = key;
    }
    return {};
}

Result<std::int64_t> MemoryDatabase::CountUsersWithPassword() {
    std::lock_guard lock(state_->mu);
    return static_cast<std::int64_t>(
        std::count_if(state_->users.begin(), state_->users.end(),
                      [](const auto& u) { return !u.second.password_hash.empty(); }));
}

Status MemoryDatabase::CreateSession(const std::string& id_hash, std::int64_t user_id,
                                     const std::string& csrf_token, UnixMillis expires_at) {
    std::lock_guard lock(state_->mu);
    const UnixMillis now = core::NowMillis();
    std::erase_if(state_->sessions, [&](const auto& s) { return s.second.expires_at < now; });
    if (!state_->users.contains(user_id))
        return Error::Conflict("no user " + std::to_string(user_id));
    if (state_->sessions.contains(id_hash)) return Error::Conflict("session exists");
    state_->sessions[id_hash] = Session{user_id, csrf_token, expires_at};
    return {};
}

Result<MemoryDatabase::Session> MemoryDatabase::GetSession(const std::string& id_hash,
                                                           UnixMillis now) {
    std::lock_guard lock(state_->mu);
    auto it = state_->sessions.find(id_hash);
    if (it == state_->sessions.end() || it->second.expires_at <= now) {
        return Error{core::ErrorCode::kUnauthorized, "session expired or unknown"};
    }
    return it->second;
}

Status MemoryDatabase::DeleteSession(const std::string& id_hash) {
    std::lock_guard lock(state_->mu);
    state_->sessions.erase(id_hash);
    return {};
}

Result<MemoryDatabase::Token> MemoryDatabase::CreateToken(std::int64_t user_id,
                                                          const std::string& name,
                                                          const std::string& token_hash) {
    std::lock_guard lock(state_->mu);
    if (!state_->users.contains(user_id))
        return Error::Conflict("no user " + std::to_string(user_id));
    for (const auto& [_, t] : state_->tokens) {
        if (t.second == token_hash) return Error::Conflict("this API token exists");
    }
    Token t{++state_->next_token, user_id, name, core::NowMillis(), 0};
    state_->tokens[t.id] = {t, token_hash};
    return t;
}

Result<MemoryDatabase::Token> MemoryDatabase::GetTokenByHash(const std::string& token_hash) {
    std::lock_guard lock(state_->mu);
    for (auto& [_, t] : state_->tokens) {
        if (t.second != token_hash) continue;
        // last_used_at is kept to the minute, as the database backends keep it.
        const UnixMillis now = core::NowMillis();
        if (now - t.first.last_used_at > 60'000) t.first.last_used_at = now;
        return t.first;
    }
    return Error{core::ErrorCode::kUnauthorized, "unknown API token"};
}

Result<std::vector<MemoryDatabase::Token>> MemoryDatabase::ListTokens(std::int64_t user_id) {
    std::lock_guard lock(state_->mu);
    std::vector<Token> out;
    for (const auto& [_, t] : state_->tokens) {
        if (t.first.user_id == user_id) out.push_back(t.first);
    }
    return out;
}

Status MemoryDatabase::DeleteToken(std::int64_t user_id, std::int64_t token_id) {
    std::lock_guard lock(state_->mu);
    auto it = state_->tokens.find(token_id);
    if (it == state_->tokens.end() || it->second.first.user_id != user_id) {
        return Error::NotFound("no API token " + std::to_string(token_id));
    }
    state_->tokens.erase(it);
    return {};
}

// ---- jobs ---------------------------------------------------------------------------------------

Result<core::Job> MemoryDatabase::CreateJob(std::int64_t user_id,
                                            const core::GenerateRequest& req) {
    std::lock_guard lock(state_->mu);
    return state_->NewJob(user_id, req);
}

Result<core::Job> MemoryDatabase::CreateJobOfKind(std::int64_t user_id, core::JobKind kind,
                                                  const Json& params,
                                                  const core::GenerateRequest& req) {
    std::lock_guard lock(state_->mu);
    core::Job j = state_->NewJob(user_id, req);
    auto& row = state_->jobs[j.id].job;
    row.kind = kind;
    row.params = params;
    return row;
}

Result<core::Job> MemoryDatabase::GetJob(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(row, state_->Job(id));
    return row->job;
}

Result<storage::Page<core::Job>> MemoryDatabase::ListJobs(const storage::JobQuery& q) {
    std::lock_guard lock(state_->mu);
    std::vector<const core::Job*> matching;
    for (auto it = state_->jobs.rbegin(); it != state_->jobs.rend(); ++it) {
        if (!q.state || it->second.job.status == *q.state) matching.push_back(&it->second.job);
    }
    storage::Page<core::Job> page;
    page.total = static_cast<std::int64_t>(matching.size());
    const auto offset = static_cast<std::size_t>(std::max<std::int64_t>(0, q.offset));
    const auto limit = static_cast<std::size_t>(std::clamp(q.limit, 1, 200));
    for (std::size_t i = offset; i < matching.size() && page.items.size() < limit; ++i) {
        page.items.push_back(*matching[i]);
    }
    return page;
}

Result<std::string> MemoryDatabase::JobFingerprint(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(row, state_->Job(id));
    const core::Job& j = row->job;
    std::int64_t last_log = 0, last_asset = 0;
    for (const auto& l : state_->logs) {
        if (l.job_id == id) last_log = l.id;
    }
    for (const auto& [aid, a] : state_->assets) {
        if (a.job_id == id) last_asset = aid;
    }
    const std::size_t urls =
        (j.preview_url + j.final_url + j.thumbnail_url + j.vtt_url + j.error_log).size();
    return std::to_string(j.updated_at) + "/" + std::to_string(last_log) + "/" +
           std::to_string(last_asset) + "/" + std::to_string(j.stages.dump().size()) + "/" +
           std::string(core::ToString(j.status)) + ":" + std::to_string(j.progress) + ":" +
           std::to_string(j.attempts) + ":" + (j.cancel_requested ? "1" : "0") + ":" +
           std::to_string(urls) + ":" + std::to_string(j.content_id.value_or(0));
}

Result<std::optional<core::Job>> MemoryDatabase::ClaimJob(const std::string& worker_id,
                                                          UnixMillis now, UnixMillis lease_until) {
    std::lock_guard lock(state_->mu);
    auto held = [&](const JobRow& r) { return r.lease_owner && r.lease_expires >= now; };
    // Jobs flagged for cancel whose worker died: the machine cancels them (lease expired).
    bool died = false;
    for (auto& [_, r] : state_->jobs) {
        if (held(r) || !r.job.cancel_requested) continue;
        auto next = core::NextJobPosition({r.job.status, false, true}, JobEvent::kLeaseExpired);
        if (next.ok() && next->state != r.job.status) {
            r.job.status = next->state;
            r.lease_owner.reset();
            r.job.updated_at = now;
            died = true;
        }
    }
    if (died) state_->SweepAbandoned();
    auto capped = [&](const JobRow& r) {
        if (!r.job.batch_id) return false;
        auto b = state_->batches.find(*r.job.batch_id);
        if (b == state_->batches.end() || b->second.max_parallel <= 0) return false;
        const auto running = std::count_if(state_->jobs.begin(), state_->jobs.end(), [&](auto& o) {
            return o.second.job.batch_id == b->first && held(o.second) &&
                   !core::IsTerminal(o.second.job.status);
        });
        return running >= b->second.max_parallel;
    };
    JobRow* pick = nullptr;
    for (auto& [_, r] : state_->jobs) {
        if (!core::NextJobPosition({r.job.status, held(r), r.job.cancel_requested},
                                   JobEvent::kClaim)
                 .ok() ||
            r.job.run_after > now || capped(r)) {
            continue;
        }
        if (!pick || std::tie(r.job.priority, r.job.run_after, r.job.id) <
                         std::tie(pick->job.priority, pick->job.run_after, pick->job.id)) {
            pick = &r;
        }
    }
    if (!pick) return std::optional<core::Job>();
    pick->lease_owner = worker_id;
    pick->lease_expires = lease_until;
    ++pick->job.attempts;
    pick->job.updated_at = now;
    return std::optional<core::Job>(pick->job);
}

Result<bool> MemoryDatabase::RenewLease(std::int64_t job_id, const std::string& worker_id,
                                        UnixMillis lease_until) {
    std::lock_guard lock(state_->mu);
    auto it = state_->jobs.find(job_id);
    if (it == state_->jobs.end() || it->second.lease_owner != worker_id) return false;
    it->second.lease_expires = lease_until;
    return true;
}

Result<int> MemoryDatabase::ReleaseLeases(const std::string& owner_prefix) {
    std::lock_guard lock(state_->mu);
    int n = 0;
    for (auto& [_, r] : state_->jobs) {
        if (r.lease_owner && r.lease_owner->starts_with(owner_prefix)) {
            r.lease_owner.reset();
            r.lease_expires = 0;
            ++n;
        }
    }
    return n;
}

Status MemoryDatabase::UpdateJobProgress(std::int64_t job_id, JobState state, int progress) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(target, core::NextJobPosition({JobState::kQueued, true}, JobEvent::kAdvance, state));
    auto it = state_->jobs.find(job_id);
    if (it == state_->jobs.end()) return {};
    auto next = core::NextJobPosition({it->second.job.status, true, false}, JobEvent::kAdvance,
                                      target.state);
    if (!next.ok()) return {};  // a finished job ignores late progress
    it->second.job.status = next->state;
    it->second.job.progress = std::clamp(progress, 0, 100);
    it->second.job.updated_at = core::NowMillis();
    return {};
}

Status MemoryDatabase::RecordStage(std::int64_t job_id, const std::string& stage,
                                   const Json& outputs) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(row, state_->Job(job_id));
    row->job.stages[stage] = outputs;
    row->job.updated_at = core::NowMillis();
    return {};
}

Status MemoryDatabase::ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(row, state_->Job(job_id));
    for (const auto& name : stages) row->job.stages.erase(name);
    row->job.updated_at = core::NowMillis();
    return {};
}

Status MemoryDatabase::SetJobUrls(std::int64_t job_id, const Json& urls) {
    std::lock_guard lock(state_->mu);
    auto it = state_->jobs.find(job_id);
    if (it == state_->jobs.end()) return {};
    core::Job& j = it->second.job;
    for (auto [col, field] :
         {std::pair{"preview_url", &j.preview_url}, std::pair{"final_url", &j.final_url},
          std::pair{"thumbnail_url", &j.thumbnail_url}, std::pair{"vtt_url", &j.vtt_url}}) {
        if (!urls.contains(col) || !urls[col].is_string()) continue;
        *field = urls[col].get<std::string>();
        j.updated_at = core::NowMillis();
    }
    return {};
}

Status MemoryDatabase::FinishJob(std::int64_t job_id, JobState final_state,
                                 const std::optional<Error>& error,
                                 std::optional<std::int64_t> content_id) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(event, core::FinishEventFor(final_state));
    BEACON_TRY(row, state_->Job(job_id));
    JobRow& r = *row;
    BEACON_TRY(next, core::NextJobPosition({r.job.status, true, r.job.cancel_requested}, event,
                                           JobState::kQueued, job_id));
    r.job.status = next.state;
    if (next.state == JobState::kCompleted) r.job.progress = 100;
    r.job.error_log = error ? error->message : std::string();
    r.job.error_code = error ? std::string(core::ToString(error->code)) : std::string();
    if (content_id) r.job.content_id = content_id;
    r.lease_owner.reset();
    r.lease_expires = 0;
    r.job.updated_at = core::NowMillis();
    // A failed or canceled job's half-composed library row goes with it.
    if (next.state != JobState::kCompleted) state_->SweepAbandoned();
    return {};
}

Status MemoryDatabase::RequeueJob(std::int64_t job_id, UnixMillis run_after,
                                  const std::string& reason) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(row, state_->Job(job_id));
    JobRow& r = *row;
    BEACON_TRY(next, core::NextJobPosition({r.job.status, true, r.job.cancel_requested},
                                           JobEvent::kRequeue, JobState::kQueued, job_id));
    r.job.status = next.state;
    r.job.run_after = run_after;
    r.job.error_log = reason;
    r.lease_owner.reset();
    r.lease_expires = 0;
    r.job.updated_at = core::NowMillis();
    return {};
}

Result<core::Job> MemoryDatabase::RequestCancel(std::int64_t job_id) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(r, state_->Job(job_id));
    const UnixMillis now = core::NowMillis();
    const bool held = r->lease_owner && r->lease_expires >= now;
    // A job nobody holds is canceled at once; a running one is flagged for its worker.
    BEACON_TRY(next, core::NextJobPosition({r->job.status, held, r->job.cancel_requested},
                                           JobEvent::kRequestCancel, JobState::kQueued, job_id));
    r->job.status = next.state;
    r->job.cancel_requested = next.cancel_requested;
    r->job.updated_at = now;
    if (!next.held) r->lease_owner.reset();
    state_->SweepAbandoned();
    return r->job;
}

Result<core::Job> MemoryDatabase::RetryJob(std::int64_t job_id) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(r, state_->Job(job_id));
    BEACON_TRY(next, core::NextJobPosition({r->job.status, false, r->job.cancel_requested},
                                           JobEvent::kRetry, JobState::kQueued, job_id));
    r->job.progress = 0;
    r->job.status = next.state;
    r->job.attempts = 0;
    r->job.run_after = 0;
    r->job.cancel_requested = next.cancel_requested;
    r->job.error_log.clear();
    r->job.error_code.clear();
    r->lease_owner.reset();
    r->lease_expires = 0;
    r->job.updated_at = core::NowMillis();
    return r->job;
}

Result<core::Job> MemoryDatabase::ReopenJob(std::int64_t job_id) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(r, state_->Job(job_id));
    BEACON_TRY(next, core::NextJobPosition({r->job.status, false, r->job.cancel_requested},
                                           JobEvent::kReopen, JobState::kQueued, job_id));
    r->job.status = next.state;
    r->job.attempts = 0;
    r->job.run_after = 0;
    r->job.cancel_requested = next.cancel_requested;
    r->job.error_log.clear();
    r->job.error_code.clear();
    r->lease_owner.reset();
    r->lease_expires = 0;
    r->job.updated_at = core::NowMillis();
    return r->job;
}

Result<core::JobLogLine> MemoryDatabase::AppendJobLog(std::int64_t job_id, const std::string& stage,
                                                      core::LogLevel level,
                                                      const std::string& message) {
    std::lock_guard lock(state_->mu);
    // The database backends refuse a line for an unknown job (foreign key).
    if (!state_->jobs.contains(job_id)) return Error::Conflict("no job " + std::to_string(job_id));
    core::JobLogLine l{++state_->next_log, job_id, core::NowMillis(), stage, level, message};
    state_->logs.push_back(l);
    return l;
}

Result<std::vector<core::JobLogLine>> MemoryDatabase::GetJobLogs(std::int64_t job_id,
                                                                 std::int64_t after_id, int limit) {
    std::lock_guard lock(state_->mu);
    std::vector<core::JobLogLine> out;
    const auto n = static_cast<std::size_t>(std::clamp(limit, 1, 5000));
    for (const auto& l : state_->logs) {
        if (out.size() == n) break;
        if (l.job_id == job_id && l.id > after_id) out.push_back(l);
    }
    return out;
}

Result<std::vector<core::JobLogLine>> MemoryDatabase::GetRecentJobLogs(std::int64_t job_id,
                                                                       int limit) {
    std::lock_guard lock(state_->mu);
    std::vector<core::JobLogLine> out;
    const auto n = static_cast<std::size_t>(std::clamp(limit, 1, 5000));
    for (auto it = state_->logs.rbegin(); it != state_->logs.rend() && out.size() < n; ++it) {
        if (it->job_id == job_id) out.push_back(*it);
    }
    std::reverse(out.begin(), out.end());
    return out;
}

Result<storage::Batch> MemoryDatabase::CreateBatch(
    std::int64_t user_id, const std::string& name, int max_parallel,
    const std::vector<core::GenerateRequest>& items) {
    std::lock_guard lock(state_->mu);
    BatchRow b{++state_->next_batch, user_id, name, max_parallel, core::NowMillis()};
    state_->batches[b.id] = b;
    for (const auto& r : items) {
        core::Job j = state_->NewJob(user_id, r);
        state_->jobs[j.id].job.batch_id = b.id;
        state_->jobs[j.id].job.priority = 1;
    }
    return state_->BatchOf(b);
}

Result<storage::Batch> MemoryDatabase::GetBatch(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    auto it = state_->batches.find(id);
    if (it == state_->batches.end()) return Error::NotFound("no batch " + std::to_string(id));
    return state_->BatchOf(it->second);
}

Result<std::vector<storage::Batch>> MemoryDatabase::ListBatches(std::int64_t user_id, int limit) {
    std::lock_guard lock(state_->mu);
    std::vector<storage::Batch> out;
    const auto n = static_cast<std::size_t>(std::clamp(limit, 1, 200));
    for (auto it = state_->batches.rbegin(); it != state_->batches.rend() && out.size() < n; ++it) {
        if (it->second.user_id == user_id) out.push_back(state_->BatchOf(it->second));
    }
    return out;
}

// ---- library ------------------------------------------------------------------------------------

Result<core::Content> MemoryDatabase::CreateContent(const core::Content& c) {
    std::lock_guard lock(state_->mu);
    core::Content row = c;
    row.id = ++state_->next_content;
    row.created_at = row.updated_at = core::NowMillis();
    row.pending = false;
    state_->content[row.id] = row;
    return row;
}

namespace {
/// Every column but the id, the creation time and the pending flag.
void CopyColumns(core::Content& row, const core::Content& c) {
    const auto id = row.id;
    const auto created = row.created_at;
    const bool pending = row.pending;
    row = c;
    row.id = id;
    row.created_at = created;
    row.pending = pending;
    row.updated_at = core::NowMillis();
}
}  // namespace

Status MemoryDatabase::UpdateContent(const core::Content& c) {
    std::lock_guard lock(state_->mu);
    auto it = state_->content.find(c.id);
    if (it == state_->content.end()) return Error::NotFound("no content " + std::to_string(c.id));
    CopyColumns(it->second, c);
    return {};
}

Result<core::Content> MemoryDatabase::BeginJobContent(std::int64_t job_id, const core::Content& c) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(r, state_->Job(job_id));
    if (r->job.content_id) {
        auto mine = state_->ContentById(*r->job.content_id, /*include_pending=*/true);
        if (mine.ok()) return mine;
    }
    core::Content row = c;
    row.id = ++state_->next_content;
    row.created_at = row.updated_at = core::NowMillis();
    row.pending = true;
    state_->content[row.id] = row;
    r->job.content_id = row.id;
    r->job.updated_at = row.created_at;
    return row;
}

Status MemoryDatabase::CompleteJobContent(std::int64_t job_id, const core::Content& c) {
    std::lock_guard lock(state_->mu);
    auto it = state_->content.find(c.id);
    if (it == state_->content.end()) return Error::NotFound("no content " + std::to_string(c.id));
    CopyColumns(it->second, c);
    it->second.pending = false;
    for (auto& [_, a] : state_->assets) {
        if (a.job_id == job_id) a.content_id = c.id;
    }
    return {};
}

Result<core::Content> MemoryDatabase::GetContent(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    return state_->ContentById(id, /*include_pending=*/false);
}

Result<storage::Page<core::Content>> MemoryDatabase::ListContent(const storage::ContentQuery& q) {
    std::lock_guard lock(state_->mu);
    const auto query = Words(q.search);
    std::vector<const core::Content*> rows;
    for (const auto& [_, c] : state_->content) {
        if (c.pending) continue;
        if (!query.empty() && !Matches(c, query)) continue;
        if (q.published && c.published != *q.published) continue;
        if (q.visibility && c.visibility != *q.visibility) continue;
        if (q.language &&
            std::find(c.languages.begin(), c.languages.end(), *q.language) == c.languages.end()) {
            continue;
        }
        rows.push_back(&c);
    }
    auto newest = [](const core::Content* a, const core::Content* b) {
        return std::tie(b->created_at, b->id) < std::tie(a->created_at, a->id);
    };
    if (q.sort == "oldest") {
        std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
            return std::tie(a->created_at, a->id) < std::tie(b->created_at, b->id);
        });
    } else if (q.sort == "title") {
        std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
            const auto ta = Lower(a->title), tb = Lower(b->title);
            return ta != tb ? ta < tb : a->id > b->id;
        });
    } else if (q.sort == "duration") {
        std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
            return a->duration != b->duration ? a->duration > b->duration : a->id > b->id;
        });
    } else {
        std::sort(rows.begin(), rows.end(), newest);
    }
    storage::Page<core::Content> page;
    page.total = static_cast<std::int64_t>(rows.size());
    const auto offset = static_cast<std::size_t>(std::max<std::int64_t>(0, q.offset));
    const auto limit = static_cast<std::size_t>(std::clamp(q.limit, 1, 500));
    for (std::size_t i = offset; i < rows.size() && page.items.size() < limit; ++i) {
        page.items.push_back(*rows[i]);
    }
    return page;
}

Result<core::Content> MemoryDatabase::PatchContent(std::int64_t id,
                                                   const storage::ContentPatch& p) {
    std::lock_guard lock(state_->mu);
    BEACON_TRY(found, state_->ContentById(id, /*include_pending=*/false));
    (void)found;
    core::Content& c = state_->content[id];
    if (p.title) c.title = *p.title;
    if (p.description) c.description = *p.description;
    if (p.visibility) c.visibility = *p.visibility;
    if (p.published) c.published = *p.published;
    c.updated_at = core::NowMillis();
    return c;
}

Status MemoryDatabase::DeleteContent(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    return state_->DeleteContent(id);
}

Status MemoryDatabase::ScheduleObjectDelete(const std::string& prefix, UnixMillis due_at) {
    std::lock_guard lock(state_->mu);
    state_->object_deletes.push_back({prefix, due_at, false});
    return {};
}

Result<std::vector<std::string>> MemoryDatabase::TakeDueObjectDeletes(UnixMillis now) {
    std::lock_guard lock(state_->mu);
    auto& all = state_->object_deletes;
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.due_at < b.due_at; });
    std::vector<std::string> out;
    for (const auto& d : all) {
        if (d.due_at <= now) out.push_back(d.prefix);
    }
    // Handed out twice: once when due, once more kObjectDeleteRetakeMs later, then forgotten.
    std::erase_if(all, [&](const auto& d) { return d.due_at <= now && d.taken; });
    for (auto& d : all) {
        if (d.due_at <= now) {
            d.taken = true;
            d.due_at = now + storage::kObjectDeleteRetakeMs;
        }
    }
    return out;
}

Result<int> MemoryDatabase::SweepAbandonedContent() {
    std::lock_guard lock(state_->mu);
    return state_->SweepAbandoned();
}

// ---- assets -------------------------------------------------------------------------------------

Result<core::Asset> MemoryDatabase::AddAsset(const core::Asset& a) {
    std::lock_guard lock(state_->mu);
    core::Asset row = a;
    row.id = ++state_->next_asset;
    row.created_at = core::NowMillis();
    state_->assets[row.id] = row;
    return row;
}

Result<std::vector<core::Asset>> MemoryDatabase::ListAssetsForJob(std::int64_t job_id) {
    std::lock_guard lock(state_->mu);
    std::vector<core::Asset> out;
    for (const auto& [_, a] : state_->assets) {
        if (a.job_id == job_id) out.push_back(a);
    }
    return out;
}

Result<std::vector<core::Asset>> MemoryDatabase::ListAssetsForContent(std::int64_t content_id) {
    std::lock_guard lock(state_->mu);
    std::vector<core::Asset> out;
    for (const auto& [_, a] : state_->assets) {
        if (a.content_id == content_id) out.push_back(a);
    }
    return out;
}

Result<std::optional<core::Asset>> MemoryDatabase::FindAssetByHash(const std::string& hash) {
    std::lock_guard lock(state_->mu);
    for (auto it = state_->assets.rbegin(); it != state_->assets.rend(); ++it) {
        if (it->second.hash == hash) return std::optional<core::Asset>(it->second);
    }
    return std::optional<core::Asset>();
}

Status MemoryDatabase::LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) {
    std::lock_guard lock(state_->mu);
    for (auto& [_, a] : state_->assets) {
        if (a.job_id == job_id) a.content_id = content_id;
    }
    return {};
}

// ---- channels -----------------------------------------------------------------------------------

Result<core::Playlist> MemoryDatabase::CreatePlaylist(const core::Playlist& p) {
    std::lock_guard lock(state_->mu);
    return state_->InsertPlaylist(p);
}

Result<core::Playlist> MemoryDatabase::GetPlaylist(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    auto it = state_->playlists.find(id);
    if (it == state_->playlists.end()) return Error::NotFound("no such playlist");
    return it->second.playlist;
}

Result<core::Playlist> MemoryDatabase::GetPlaylistBySlug(const std::string& slug) {
    std::lock_guard lock(state_->mu);
    for (const auto& [_, row] : state_->playlists) {
        if (row.playlist.slug == slug) return row.playlist;
    }
    return Error::NotFound("no such playlist");
}

Result<std::vector<core::Playlist>> MemoryDatabase::ListPlaylists() {
    std::lock_guard lock(state_->mu);
    std::vector<core::Playlist> out;
    for (const auto& [_, row] : state_->playlists) out.push_back(row.playlist);
    return out;
}

Status MemoryDatabase::UpdatePlaylist(const core::Playlist& p) {
    std::lock_guard lock(state_->mu);
    auto it = state_->playlists.find(p.id);
    if (it == state_->playlists.end())
        return Error::NotFound("no playlist " + std::to_string(p.id));
    core::Playlist& row = it->second.playlist;
    row.title = p.title;
    row.items = p.items;
    row.loop_mode = p.loop_mode;
    row.active = p.active;
    row.scheduled_slots = p.scheduled_slots;
    row.inserts = p.inserts;
    row.updated_at = core::NowMillis();
    return {};
}

Status MemoryDatabase::DeletePlaylist(std::int64_t id) {
    std::lock_guard lock(state_->mu);
    if (state_->playlists.erase(id) == 0) {
        return Error::NotFound("no playlist " + std::to_string(id));
    }
    return {};
}

Result<core::Playlist> MemoryDatabase::DefaultPlaylist() {
    std::lock_guard lock(state_->mu);
    for (const auto& [_, row] : state_->playlists) {
        if (row.playlist.slug == "main") return row.playlist;
    }
    core::Playlist p;
    p.slug = "main";
    p.title = "LiveLoop";
    return state_->InsertPlaylist(p);
}

Result<std::string> MemoryDatabase::GetChannelState(std::int64_t playlist_id) {
    std::lock_guard lock(state_->mu);
    auto it = state_->playlists.find(playlist_id);
    if (it == state_->playlists.end()) {
        return Error::NotFound("no playlist " + std::to_string(playlist_id));
    }
    return it->second.state;
}

Status MemoryDatabase::PutChannelState(std::int64_t playlist_id, const std::string& state) {
    std::lock_guard lock(state_->mu);
    auto it = state_->playlists.find(playlist_id);
    if (it == state_->playlists.end()) {
        return Error::NotFound("no playlist " + std::to_string(playlist_id));
    }
    it->second.state = state;
    return {};
}

}  // namespace beacon::testing
