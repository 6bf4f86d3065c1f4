#include "remote/http.hpp"

#include <filesystem>

#include "jobs/worker_pool.hpp"
#include "remote/codec.hpp"
#include "remote/upload.hpp"
#include "server/api.hpp"

namespace beacon::remote {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using server::Api;
using server::ExtensionRoute;
using server::Reply;
using server::Request;
using server::RouteAccess;

namespace {

/// Media uploads from workers (a finished MP4 of a long video) may be large.
constexpr std::size_t kMaxObjectBytes = std::size_t{4} << 30;

Reply Fail(const Error& e) { return Api::Error(e); }

core::Result<Json> Body(const Request& req) {
    const std::string& body = req.msg.body();
    if (body.empty()) return Json::object();
    try {
        Json j = Json::parse(body);
        if (!j.is_object()) return Error::Invalid("the body must be a JSON object");
        return j;
    } catch (const Json::exception& e) {
        return Error::Invalid(std::string("the body is not JSON: ") + e.what());
    }
}

core::Result<std::int64_t> IdParam(const Request& req, const char* name) {
    auto it = req.params.find(name);
    if (it == req.params.end()) return Error::Invalid(std::string("missing ") + name);
    try {
        std::size_t used = 0;
        auto v = std::stoll(it->second, &used);
        if (used != it->second.size() || v <= 0) throw std::invalid_argument(name);
        return static_cast<std::int64_t>(v);
    } catch (const std::exception&) {
        return Error::Invalid(std::string(name) + " must be a positive integer");
    }
}

std::string Token(const Request& req) { return req.Header(kTokenHeader); }

Json WorkerJson(const WorkerRecord& w, const RemoteOptions& o, core::UnixMillis now) {
    std::string state = w.state;
    // A worker that stopped talking is shown as silent even before the watchdog saw its job.
    if ((state == "idle" || state == "busy") && now - w.last_seen > o.silent_after.count())
        state = "silent";
    return Json{{"id", w.id},
                {"name", w.name},
                {"host", w.host},
                {"state", state},
                {"last_heartbeat", core::FormatTimestamp(w.last_seen)},
                {"last_heartbeat_ms", w.last_seen},
                {"current_job", w.current_job ? Json(*w.current_job) : Json()},
                {"jobs_done", w.jobs_done},
                {"registration_token_id", w.registration_id},
                {"registered_at", core::FormatTimestamp(w.created_at)}};
}

/// A route reached with a job token: authorizes it for the {id} of the path, then runs `f`.
template <class F>
ExtensionRoute JobRoute(RemoteService& s, std::string method, std::string pattern, F f,
                        std::size_t max_body = 0) {
    ExtensionRoute r;
    r.method = std::move(method);
    r.pattern = std::move(pattern);
    r.access = RouteAccess::kPublic;  // the job token is checked here
    r.any_host = true;                // token-authenticated machine calls, no cookies
    r.max_body_bytes = max_body;
    r.handle = [&s, f](Request& req) -> Reply {
        auto id = IdParam(req, "id");
        if (!id.ok()) return Fail(id.error());
        auto grant = s.Authorize(Token(req), *id);
        if (!grant.ok()) return Fail(grant.error());
        return f(req, *grant);
    };
    return r;
}

std::string KeyParam(const Request& req) {
    auto it = req.params.find("key");
    return it == req.params.end() ? std::string() : it->second;
}

}  // namespace

Json WorkersJson(RemoteService& service) {
    const auto now = core::NowMillis();
    Json workers = Json::array();
    if (auto ws = service.registry().ListWorkers(); ws.ok()) {
        for (const auto& w : *ws) workers.push_back(WorkerJson(w, service.options(), now));
    }
    Json tokens = Json::array();
    if (auto ts = service.registry().ListRegistrationTokens(); ts.ok()) {
        for (const auto& t : *ts) {
            tokens.push_back({{"id", t.id},
                              {"name", t.name},
                              {"created_at", core::FormatTimestamp(t.created_at)},
                              {"revoked", t.revoked_at != 0},
                              {"workers", t.workers}});
        }
    }
    return Json{{"workers", workers},
                {"tokens", tokens},
                {"silent_after_seconds", service.options().silent_after.count() / 1000}};
}

std::vector<ExtensionRoute> HttpRoutes(RemoteService& s) {
    std::vector<ExtensionRoute> out;
    // ---- admin ----------------------------------------------------------------------------
    out.push_back({"GET", "/api/v1/workers", RouteAccess::kUser,
                   [&s](Request&) { return Api::Json(200, WorkersJson(s)); }});
    out.push_back({"POST", "/api/v1/workers/tokens", RouteAccess::kUser, [&s](Request& req) {
                       auto body = Body(req);
                       if (!body.ok()) return Fail(body.error());
                       const Json& name = (*body)["name"];
                       if (!name.is_string()) return Fail(Error::Invalid("name: a string"));
                       auto made = s.CreateRegistrationToken(name.get<std::string>());
                       if (!made.ok()) return Fail(made.error());
                       return Api::Json(
                           201, {{"id", made->first.id},
                                 {"name", made->first.name},
                                 {"created_at", core::FormatTimestamp(made->first.created_at)},
                                 {"token", made->second}});
                   }});
    out.push_back({"DELETE", "/api/v1/workers/tokens/{id}", RouteAccess::kUser, [&s](Request& req) {
                       auto id = IdParam(req, "id");
                       if (!id.ok()) return Fail(id.error());
                       if (auto st = s.registry().RevokeRegistrationToken(*id); !st.ok())
                           return Fail(st.error());
                       return Reply{204, ""};
                   }});

    // ---- worker: registration, claims ------------------------------------------------------
    ExtensionRoute reg{"POST", "/api/v1/remote/register", RouteAccess::kPublic, [&s](Request& req) {
                           auto body = Body(req);
                           if (!body.ok()) return Fail(body.error());
                           auto made = s.Register(Token(req), body->value("name", std::string()),
                                                  body->value("host", std::string()));
                           if (!made.ok()) return Fail(made.error());
                           return Api::Json(
                               201, {{"worker_id", made->first.id},
                                     {"worker_token", made->second},
                                     {"lease_seconds", s.options().silent_after.count() / 1000}});
                       }};
    reg.any_host = true;
    out.push_back(std::move(reg));
    ExtensionRoute claim{
        "POST", "/api/v1/remote/claim", RouteAccess::kPublic, [&s](Request& req) {
            auto w = s.AuthenticateWorker(Token(req));
            if (!w.ok()) return Fail(w.error());
            auto got = s.Claim(*w);
            if (!got.ok()) return Fail(got.error());
            if (!got->has_value()) return Reply{204, ""};
            return Api::Json(200, {{"job", WireJob((*got)->first)}, {"job_token", (*got)->second}});
        }};
    claim.any_host = true;
    out.push_back(std::move(claim));
    ExtensionRoute off{"POST", "/api/v1/remote/signoff", RouteAccess::kPublic, [&s](Request& req) {
                           auto w = s.AuthenticateWorker(Token(req));
                           if (!w.ok()) return Fail(w.error());
                           if (auto st = s.SignOff(*w); !st.ok()) return Fail(st.error());
                           return Reply{204, ""};
                       }};
    off.any_host = true;
    out.push_back(std::move(off));

    // ---- worker: one job, with its job token -----------------------------------------------
    const std::string job = "/api/v1/remote/jobs/{id}";
    out.push_back(JobRoute(s, "GET", job, [&s](Request&, const JobGrant& g) {
        auto j = s.stores().jobs.GetJob(g.assignment.job_id);
        return j.ok() ? Api::Json(200, WireJob(*j)) : Fail(j.error());
    }));
    out.push_back(JobRoute(s, "POST", job + "/heartbeat", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        if (body->contains("status")) {
            auto state = core::ParseJobState(body->value("status", std::string()));
            if (!state || core::IsTerminal(*state))
                return Fail(Error::Invalid("status: a running state"));
            auto st = s.Progress(g, *state, body->value("progress", 0));
            if (!st.ok()) return Fail(st.error());
            return Api::Json(200, {{"held", true}});
        }
        auto held = s.Heartbeat(g);
        if (!held.ok()) return Fail(held.error());
        return Api::Json(200, {{"held", *held}});
    }));
    out.push_back(JobRoute(s, "POST", job + "/logs", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        auto level = core::ParseLogLevel(body->value("level", std::string("info")));
        if (!level.ok()) return Fail(level.error());
        auto line = s.stores().jobs.AppendJobLog(g.assignment.job_id, body->value("stage", std::string()),
                                                 *level, body->value("message", std::string()));
        if (!line.ok()) return Fail(line.error());
        s.events().Publish(jobs::EventType::kJobLog, core::ToJson(*line));
        return Api::Json(201, WireLogLine(*line));
    }));
    out.push_back(JobRoute(s, "POST", job + "/stages", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        const std::string stage = body->value("stage", std::string());
        if (stage.empty()) return Fail(Error::Invalid("stage: a name"));
        auto st = s.stores().jobs.RecordStage(g.assignment.job_id, stage, (*body)["outputs"]);
        return st.ok() ? Reply{204, ""} : Fail(st.error());
    }));
    out.push_back(
        JobRoute(s, "POST", job + "/stages/forget", [&s](Request& req, const JobGrant& g) {
            auto body = Body(req);
            if (!body.ok()) return Fail(body.error());
            std::vector<std::string> names;
            if (body->contains("stages") && (*body)["stages"].is_array()) {
                for (const auto& n : (*body)["stages"])
                    if (n.is_string()) names.push_back(n);
            }
            auto st = s.stores().jobs.ForgetStages(g.assignment.job_id, names);
            return st.ok() ? Reply{204, ""} : Fail(st.error());
        }));
    out.push_back(JobRoute(s, "POST", job + "/urls", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        auto st = s.stores().jobs.SetJobUrls(g.assignment.job_id, *body);
        if (!st.ok()) return Fail(st.error());
        if (auto j = s.stores().jobs.GetJob(g.assignment.job_id); j.ok()) jobs::PublishJob(s.events(), *j);
        return Reply{204, ""};
    }));
    out.push_back(JobRoute(s, "POST", job + "/finish", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        auto state = core::ParseJobState(body->value("status", std::string()));
        if (!state) return Fail(Error::Invalid("status: completed, failed or canceled"));
        std::optional<Error> error;
        if (body->contains("error") && (*body)["error"].is_object())
            error = ParseWireError((*body)["error"]);
        std::optional<std::int64_t> content_id;
        if (body->contains("content_id") && (*body)["content_id"].is_number_integer())
            content_id = (*body)["content_id"].get<std::int64_t>();
        auto st = s.Finish(g, *state, error, content_id);
        return st.ok() ? Reply{204, ""} : Fail(st.error());
    }));
    out.push_back(JobRoute(s, "POST", job + "/requeue", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        auto st = s.Requeue(g, body->value("run_after", core::UnixMillis{0}),
                            body->value("reason", std::string()));
        return st.ok() ? Reply{204, ""} : Fail(st.error());
    }));
    // The library row the job composes.
    out.push_back(JobRoute(s, "POST", job + "/content", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        auto c = ParseWireContent(*body);
        if (!c.ok()) return Fail(c.error());
        auto row = s.stores().library.BeginJobContent(g.assignment.job_id, *c);
        return row.ok() ? Api::Json(200, WireContent(*row)) : Fail(row.error());
    }));
    const std::string content = job + "/content/{content_id}";
    auto content_route = [&s](std::string method, std::string pattern, auto f) {
        return JobRoute(s, std::move(method), std::move(pattern),
                        [&s, f](Request& req, const JobGrant& g) -> Reply {
                            auto cid = IdParam(req, "content_id");
                            if (!cid.ok()) return Fail(cid.error());
                            if (!s.MayTouchContent(g, *cid))
                                return Fail(Error{core::ErrorCode::kForbidden,
                                                  "this job token does not reach library item " +
                                                      std::to_string(*cid)});
                            return f(req, g, *cid);
                        });
    };
    out.push_back(content_route("GET", content, [&s](Request&, const JobGrant&, std::int64_t cid) {
        auto c = s.stores().library.GetContent(cid);
        return c.ok() ? Api::Json(200, WireContent(*c)) : Fail(c.error());
    }));
    out.push_back(
        content_route("PUT", content, [&s](Request& req, const JobGrant&, std::int64_t cid) {
            auto body = Body(req);
            if (!body.ok()) return Fail(body.error());
            auto c = ParseWireContent(*body);
            if (!c.ok()) return Fail(c.error());
            c->id = cid;
            auto st = s.stores().library.UpdateContent(*c);
            return st.ok() ? Reply{204, ""} : Fail(st.error());
        }));
    out.push_back(
        content_route("DELETE", content, [&s](Request&, const JobGrant&, std::int64_t cid) {
            auto st = s.stores().library.DeleteContent(cid);
            return st.ok() ? Reply{204, ""} : Fail(st.error());
        }));
    out.push_back(content_route("POST", content + "/complete",
                                [&s](Request& req, const JobGrant& g, std::int64_t cid) {
                                    auto body = Body(req);
                                    if (!body.ok()) return Fail(body.error());
                                    auto c = ParseWireContent(*body);
                                    if (!c.ok()) return Fail(c.error());
                                    c->id = cid;
                                    auto st = s.stores().library.CompleteJobContent(g.assignment.job_id, *c);
                                    return st.ok() ? Reply{204, ""} : Fail(st.error());
                                }));
    // Assets (provenance and the engine/encode cache).
    out.push_back(JobRoute(s, "POST", job + "/assets", [&s](Request& req, const JobGrant& g) {
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error());
        auto a = ParseWireAsset(*body);
        if (!a.ok()) return Fail(a.error());
        a->job_id = g.assignment.job_id;  // a job records assets for itself only
        auto row = s.stores().assets.AddAsset(*a);
        return row.ok() ? Api::Json(201, WireAsset(*row)) : Fail(row.error());
    }));
    out.push_back(JobRoute(s, "GET", job + "/assets", [&s](Request& req, const JobGrant&) {
        const std::string hash = req.Query("hash");
        if (hash.empty() || hash.size() > 128) return Fail(Error::Invalid("hash: required"));
        auto found = s.stores().assets.FindAssetByHash(hash);
        if (!found.ok()) return Fail(found.error());
        if (!found->has_value()) return Api::Json(200, {{"asset", nullptr}});
        return Api::Json(200, {{"asset", WireAsset(**found)}});
    }));
    // Media: inputs read, outputs written (only under the job's own keys).
    const std::string object = job + "/objects/{key+}";
    out.push_back(JobRoute(s, "GET", object, [&s](Request& req, const JobGrant&) -> Reply {
        const std::string key = KeyParam(req);
        if (!storage::IsValidKey(key)) return Fail(Error::Invalid("not a media key"));
        if (req.HasQuery("stat")) {
            auto size = s.store().Size(key);
            if (!size.ok()) return Fail(size.error());
            return Api::Json(200, {{"size", *size}});
        }
        const fs::path local = s.store().LocalPath(key);
        std::error_code ec;
        if (!local.empty() && fs::is_regular_file(local, ec)) {
            return Api::ServeFile(local, req, "no-store", "application/octet-stream");
        }
        auto bytes = s.store().Get(key);
        if (!bytes.ok()) return Fail(bytes.error());
        Reply r;
        r.content_type = "application/octet-stream";
        r.body = std::move(*bytes);
        return r;
    }));
    // Uploads go to a file as they arrive (remote/upload.hpp): never whole in memory.
    ExtensionRoute put = JobRoute(
        s, "PUT", object,
        [&s](Request& req, const JobGrant& g) -> Reply {
            const std::string key = KeyParam(req);
            if (!s.MayWrite(g, key))
                return Fail(
                    Error{core::ErrorCode::kForbidden, "this job token may not write " + key});
            const std::string sha = req.Header(std::string_view(kSha256Header));
            // A small body may arrive whole with the headers; then it was never spooled.
            auto st = req.body_file.empty()
                          ? StoreUploadBytes(s.store(), key, req.msg.body(), sha)
                          : StoreUpload(s.store(), key, req.body_file, sha);
            return st.ok() ? Reply{204, ""} : Fail(st.error());
        },
        kMaxObjectBytes);
    put.spool_body_to_file = true;
    put.spool_dir = s.options().upload_dir.string();
    out.push_back(std::move(put));
    out.push_back(JobRoute(s, "DELETE", object, [&s](Request& req, const JobGrant& g) -> Reply {
        // ?prefix: every key under key + "/" (the store's prefix delete).
        const bool prefix = req.HasQuery("prefix");
        const std::string key = KeyParam(req);
        if (!s.MayWrite(g, prefix ? key + "/x" : key))
            return Fail(Error{core::ErrorCode::kForbidden, "this job token may not delete " + key});
        auto st = s.store().Delete(prefix ? key + "/" : key);
        return st.ok() ? Reply{204, ""} : Fail(st.error());
    }));
    return out;
}

}  // namespace beacon::remote
