#include "server/api.hpp"
/// Jobs: generate, list, detail (cached in memory), logs, cancel, retry, scene regeneration.


#include <algorithm>

#include "jobs/event_bus.hpp"
#include "server/api_validation.hpp"
#include "server/http_util.hpp"
#include "storage/database.hpp"
#include "jobs/worker_pool.hpp"
#include "storage/object_store.hpp"

namespace beacon::server {

using core::Json;
using namespace api_detail;

// ---- jobs ------------------------------------------------------------------------------------

Reply Api::Generate(Request& req) {
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    core::Json world;  // Verse: the world the scenes' pictures are rendered from (issue 17)
    if (deps_.pin_world && (body->contains("world_id") || body->contains("world_camera"))) {
        auto pinned = deps_.pin_world(req.who.user_id, *body);
        if (!pinned.ok()) return Error(pinned.error());
        world = std::move(*pinned);
        body->erase("world_id");
        body->erase("world_camera");
    }
    auto gen = core::ParseGenerateRequest(*body);
    if (!gen.ok()) return Error(gen.error());
    if (deps_.workers) {
        // Below the disk reserve no new job is taken (503 naming the folder and its space).
        if (auto room = deps_.workers->disk().AdmitNewJob(); !room.ok()) return Error(room.error());
    }
    if (deps_.admit_job) {
        if (auto quota = deps_.admit_job(); !quota.ok()) return Error(quota.error());
    }
    if (deps_.list_voices && (body->contains("voice") || body->contains("language"))) {
        // Refused up front rather than in the voice stage. When the voice list cannot be read,
        // the job goes ahead and its voice stage reports the service's own error.
        if (auto voices = deps_.list_voices(); voices.ok()) {
            if (auto s = core::CheckVoiceAndLanguage(*gen, *voices); !s.ok()) {
                return Error(422, "invalid_argument", s.error().message);
            }
        }
    }
    auto job = world.is_null() ? deps_.db.CreateJob(req.who.user_id, *gen)
                               : deps_.db.CreateJobOfKind(req.who.user_id, core::JobKind::kGenerate,
                                                          core::Json{{"world", world}}, *gen);
    if (!job.ok()) return Error(job.error());
    jobs::PublishJob(deps_.events, *job);
    if (deps_.workers) deps_.workers->Notify();
    return Json(202, {{"job_id", job->id},
                      {"status", core::ToString(job->status)},
                      {"job", core::ToJson(*job)}});
}

Reply Api::ListJobs(Request& req) {
    storage::JobQuery q;
    if (req.HasQuery("state") && !req.Query("state").empty()) {
        auto st = core::ParseJobState(req.Query("state"));
        if (!st) {
            return Error(400, "invalid_argument",
                         "query parameter 'state' must be one of queued, generating_script, "
                         "rendering_preview, rendering_final, composing, completed, failed, "
                         "canceled");
        }
        q.state = st;
    }
    if (auto paging = ReadPaging(req, q); !paging.ok()) return Error(paging.error());
    auto page = deps_.db.ListJobs(q);
    if (!page.ok()) return Error(page.error());
    return Json(200, PageJson(*page, q));
}

Reply Api::GetJob(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    // The detail (row, stages, logs, assets) is rebuilt only when the job changed: polling a
    // job, or many viewers of one, costs one small query.
    const auto generation = generation_.load(std::memory_order_acquire);
    const auto now = std::chrono::steady_clock::now();
    auto fingerprint = deps_.db.JobFingerprint(*id);
    if (!fingerprint.ok()) return Error(fingerprint.error());
    {
        std::lock_guard lock(job_cache_mu_);
        auto it = job_cache_.find(*id);
        if (it != job_cache_.end() && it->second.fingerprint == *fingerprint) {
            it->second.generation = generation;
            it->second.checked = now;
            it->second.refreshing = false;  // confirmed: the next refresh is one request again
            Reply r;
            r.shared_body = it->second.body;
            r.AddHeader("Cache-Control", "no-store");
            return r;
        }
    }
    auto job = deps_.db.GetJob(*id);
    if (!job.ok()) return Error(job.error());
    core::Json out = core::ToJson(*job);
    // The detail stays small: the recent progress lines and a summary; the tool command lines
    // (most of a job's log by size) are read page by page from /jobs/{id}/logs.
    auto logs = deps_.db.GetRecentJobLogs(*id, 200);
    if (!logs.ok()) return Error(logs.error());
    core::Json jl = core::Json::array();
    std::int64_t commands = 0, warnings = 0, errors = 0, last_id = 0;
    for (const auto& l : *logs) {
        last_id = std::max(last_id, l.id);
        if (l.level == core::LogLevel::kCmd) {
            ++commands;
            continue;
        }
        warnings += l.level == core::LogLevel::kWarn;
        errors += l.level == core::LogLevel::kError;
        jl.push_back(core::ToJson(l));
    }
    out["logs"] = std::move(jl);
    out["log_summary"] = {{"recent_lines", logs->size()},
                          {"commands", commands},
                          {"warnings", warnings},
                          {"errors", errors},
                          {"last_id", last_id}};
    out["stages"] = job->stages.is_object() ? job->stages : core::Json::object();
    auto assets = deps_.db.ListAssetsForJob(*id);
    if (!assets.ok()) return Error(assets.error());
    core::Json ja = core::Json::array();
    for (const auto& a : *assets) ja.push_back(core::ToJson(a));
    out["assets"] = std::move(ja);
    Reply reply = Json(200, out);
    {
        std::lock_guard lock(job_cache_mu_);
        if (job_cache_.size() >= 256) job_cache_.clear();
        const bool final = job->status == core::JobState::kCompleted ||
                           job->status == core::JobState::kFailed ||
                           job->status == core::JobState::kCanceled;
        job_cache_[*id] = CachedBody{std::make_shared<const std::string>(reply.body),
                                     *fingerprint, final, generation, now};
    }
    return reply;
}

namespace {

/// How long a cached body is answered from memory after the database last confirmed it: bounds
/// how late a change made by another process (a `beacon worker`) shows.
constexpr std::chrono::milliseconds kMemoryAnswerFor{1000};

}  // namespace

bool Api::StillAnswerable(CachedBody& c, std::chrono::steady_clock::time_point now) const {
    if (c.generation != generation_.load(std::memory_order_acquire)) return false;
    const auto age = now - c.checked;
    if (age < kMemoryAnswerFor) return true;
    // Past its time: one request asks the database, the others keep the body meanwhile (for
    // one more period at most) instead of all asking at the same moment.
    if (age >= 2 * kMemoryAnswerFor || !c.refreshing) {
        c.refreshing = true;
        return false;
    }
    return true;
}

std::optional<Reply> Api::GetJobFast(Request& req) {
    // Only a finished job's detail: it changes only through requests and events of this
    // process (retry, regenerate), which move the generation.
    auto id = PathId(req);
    if (!id.ok()) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    Reply r;
    {
        std::lock_guard lock(job_cache_mu_);
        auto it = job_cache_.find(*id);
        if (it == job_cache_.end() || !it->second.final || !StillAnswerable(it->second, now)) {
            return std::nullopt;
        }
        r.shared_body = it->second.body;
    }
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::GetJobLogs(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto after = QueryInt(req, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!after.ok()) return Error(after.error());
    auto job = deps_.db.GetJob(*id);
    if (!job.ok()) return Error(job.error());
    auto logs = deps_.db.GetJobLogs(*id, *after, 1000);
    if (!logs.ok()) return Error(logs.error());
    core::Json items = core::Json::array();
    for (const auto& l : *logs) items.push_back(core::ToJson(l));
    return Json(200, {{"items", items}});
}

Reply Api::CancelJob(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto job = deps_.workers ? deps_.workers->Cancel(*id) : deps_.db.RequestCancel(*id);
    if (!job.ok()) return Error(job.error());
    jobs::PublishJob(deps_.events, *job);
    return Json(200, core::ToJson(*job));
}

Reply Api::RetryJob(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto job = deps_.db.RetryJob(*id);
    if (!job.ok()) return Error(job.error());
    jobs::PublishJob(deps_.events, *job);
    if (deps_.workers) deps_.workers->Notify();
    return Json(202, core::ToJson(*job));
}

Reply Api::RegenerateScene(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto n = PathId(req, "n");
    if (!n.ok() || *n > 10000) return Error(400, "invalid_argument", "scene number must be 1 or more");
    auto body = BodyObject(req, true);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"description", "lines", "seed"}); !s.ok()) return Error(s.error());
    core::Json edits = core::Json::object();
    auto desc = OptString(*body, "description", 1, core::kMaxPromptChars);
    if (!desc.ok()) return Error(desc.error());
    if (*desc) edits["description"] = **desc;
    if (auto it = body->find("lines"); it != body->end()) {
        if (!it->is_array() || it->empty() || it->size() > 100) {
            return Error(400, "invalid_argument", "field 'lines' must be an array of 1 to 100 strings");
        }
        for (const auto& l : *it) {
            if (!l.is_string() || l.get<std::string>().empty() ||
                Utf8Chars(l.get<std::string>()) > core::kMaxPromptChars) {
                return Error(400, "invalid_argument",
                             "field 'lines' must hold non-empty strings of at most 4000 characters");
            }
        }
        edits["lines"] = *it;
    }
    if (auto it = body->find("seed"); it != body->end()) {
        if (!it->is_number_integer()) return Error(400, "invalid_argument", "field 'seed' must be an integer");
        edits["seed"] = *it;
    }
    auto job = deps_.db.GetJob(*id);
    if (!job.ok()) return Error(job.error());
    if (!deps_.regenerate_scene) {
        return Error(503, "unavailable", "scene regeneration is not available in this server");
    }
    auto res = deps_.regenerate_scene(*id, static_cast<int>(*n), edits);
    if (!res.ok()) return Error(res.error());
    jobs::PublishJob(deps_.events, *res);
    if (deps_.workers) deps_.workers->Notify();
    return Json(202, core::ToJson(*res));
}

}  // namespace beacon::server
