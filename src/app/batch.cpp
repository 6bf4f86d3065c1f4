#include "app/batch.hpp"

#include <algorithm>
#include <memory>
#include <sstream>

#include "jobs/event_bus.hpp"
#include "jobs/worker_pool.hpp"
#include "server/api.hpp"

namespace beacon::app {

using core::Error;
using core::Json;
using server::Api;
using server::Reply;
using server::Request;

namespace {

core::Result<core::GenerateRequest> ParseItem(const Json& defaults, const Json& item,
                                             const std::string& where) {
    Json merged = defaults;
    if (item.is_string()) {
        merged["prompt"] = item;
    } else if (item.is_object()) {
        for (auto it = item.begin(); it != item.end(); ++it) merged[it.key()] = it.value();
    } else {
        return Error::Invalid(where + ": must be a prompt string or a generate object");
    }
    auto r = core::ParseGenerateRequest(merged);
    if (!r.ok()) return Error::Invalid(where + ": " + r.error().message);
    return r;
}

std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return s.substr(i);
}

}  // namespace

core::Result<BatchPlan> ParseBatchBody(const Json& body) {
    if (!body.is_object()) return Error::Invalid("the body must be a JSON object");
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "items" && it.key() != "defaults" && it.key() != "name" &&
            it.key() != "max_parallel") {
            return Error::Invalid("unknown field '" + it.key() +
                                  "' (use items, defaults, name, max_parallel)");
        }
    }
    BatchPlan plan;
    Json defaults = Json::object();
    if (auto d = body.find("defaults"); d != body.end()) {
        if (!d->is_object()) return Error::Invalid("field 'defaults' must be an object");
        if (d->contains("prompt")) {
            return Error::Invalid("field 'defaults' cannot hold a prompt (each item has its own)");
        }
        defaults = *d;
    }
    if (auto n = body.find("name"); n != body.end()) {
        if (!n->is_string() || n->get<std::string>().size() > 200) {
            return Error::Invalid("field 'name' must be a string of at most 200 bytes");
        }
        plan.name = n->get<std::string>();
    }
    if (auto m = body.find("max_parallel"); m != body.end()) {
        if (!m->is_number_integer() || m->get<std::int64_t>() < 0 || m->get<std::int64_t>() > 64) {
            return Error::Invalid("field 'max_parallel' must be an integer from 0 (no cap) to 64");
        }
        plan.max_parallel = m->get<int>();
    }
    auto items = body.find("items");
    if (items == body.end() || !items->is_array() || items->empty()) {
        return Error::Invalid("field 'items' must be a non-empty array of generate requests");
    }
    if (items->size() > kMaxBatchItems) {
        return Error::Invalid("a batch holds at most " + std::to_string(kMaxBatchItems) +
                              " items (got " + std::to_string(items->size()) + ")");
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
        BEACON_TRY(r, ParseItem(defaults, (*items)[i], "items[" + std::to_string(i) + "]"));
        plan.items.push_back(std::move(r));
    }
    return plan;
}

core::Result<BatchPlan> ParseBatchFile(const std::string& text, const Json& defaults) {
    BatchPlan plan;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        line = Trim(line);
        if (line.empty() || line[0] == '#') continue;
        const std::string where = "line " + std::to_string(number);
        Json item;
        if (line[0] == '{') {
            item = Json::parse(line, nullptr, false);
            if (item.is_discarded()) return Error::Invalid(where + ": malformed JSON");
        } else {
            item = line;
        }
        BEACON_TRY(r, ParseItem(defaults, item, where));
        plan.items.push_back(std::move(r));
        if (plan.items.size() > kMaxBatchItems) {
            return Error::Invalid("a batch holds at most " + std::to_string(kMaxBatchItems) +
                                  " items");
        }
    }
    if (plan.items.empty()) return Error::Invalid("the batch file holds no prompt");
    return plan;
}

Json BatchJson(const storage::Batch& b, const std::vector<core::Job>* jobs) {
    int total = static_cast<int>(b.job_ids.size());
    auto count = [&](const char* s) {
        auto it = b.counts.find(s);
        return it == b.counts.end() ? 0 : it->second;
    };
    int completed = count("completed"), failed = count("failed"), canceled = count("canceled");
    int finished = completed + failed + canceled;
    std::string state = "running";
    if (finished == total) {
        state = failed > 0 ? "failed" : canceled == total ? "canceled" : "completed";
    } else if (count("queued") == total) {
        state = "queued";
    }
    Json counts = Json::object();
    for (const auto& [k, v] : b.counts) counts[k] = v;
    Json out = {{"id", b.id},
                {"batch_id", b.id},
                {"name", b.name},
                {"max_parallel", b.max_parallel},
                {"created_at", core::FormatTimestamp(b.created_at)},
                {"state", state},
                {"total", total},
                {"finished", finished},
                {"progress", b.progress},
                {"counts", counts},
                {"job_ids", b.job_ids}};
    if (jobs) {
        Json items = Json::array();
        for (const auto& j : *jobs) {
            items.push_back({{"id", j.id},
                             {"prompt", j.request.prompt},
                             {"title", j.request.title},
                             {"status", core::ToString(j.status)},
                             {"progress", j.progress},
                             {"content_id", j.content_id ? Json(*j.content_id) : Json()},
                             {"error", j.error_log.empty() ? Json() : Json(j.error_log)}});
        }
        out["jobs"] = items;
    }
    return out;
}

namespace {

struct Handlers {
    BatchDeps deps;

    core::Result<std::int64_t> Id(const Request& req) {
        const std::string& s = req.params.at("id");
        if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) {
            return Error::Invalid("batch id must be a positive integer");
        }
        return std::stoll(s);
    }
    /// The caller's batch, or 404 (another user's batch is not there for them).
    core::Result<storage::Batch> Owned(const Request& req) {
        BEACON_TRY(id, Id(req));
        auto b = deps.db.GetBatch(id);
        if (!b.ok()) return b.error();
        if (b->user_id != req.who.user_id) return Error::NotFound("no batch " + std::to_string(id));
        return b;
    }
    std::vector<core::Job> Jobs(const storage::Batch& b) {
        std::vector<core::Job> out;
        for (auto id : b.job_ids) {
            if (auto j = deps.db.GetJob(id); j.ok()) out.push_back(std::move(*j));
        }
        return out;
    }

    Reply Create(Request& req) {
        Json body = Json::parse(req.msg.body(), nullptr, false);
        if (body.is_discarded()) return Api::Error(400, "invalid_argument", "malformed JSON body");
        auto plan = ParseBatchBody(body);
        if (!plan.ok()) return Api::Error(plan.error());
        if (deps.workers) {
            if (auto room = deps.workers->disk().AdmitNewJob(); !room.ok()) {
                return Api::Error(room.error());
            }
        }
        if (deps.admit_jobs) {
            // The quota counts every item: a batch that does not fit is refused whole.
            if (auto quota = deps.admit_jobs(static_cast<int>(plan->items.size())); !quota.ok()) {
                return Api::Error(quota.error());
            }
        }
        if (deps.list_voices) {
            bool asks = false;
            for (const auto& it : plan->items) asks = asks || !it.voice.empty() || it.language != "en";
            if (asks) {
                if (auto voices = deps.list_voices(); voices.ok()) {
                    for (std::size_t i = 0; i < plan->items.size(); ++i) {
                        if (auto s = core::CheckVoiceAndLanguage(plan->items[i], *voices); !s.ok()) {
                            return Api::Error(422, "invalid_argument",
                                              "items[" + std::to_string(i) + "]: " + s.error().message);
                        }
                    }
                }
            }
        }
        auto b = deps.db.CreateBatch(req.who.user_id, plan->name, plan->max_parallel, plan->items);
        if (!b.ok()) return Api::Error(b.error());
        for (const auto& j : Jobs(*b)) jobs::PublishJob(deps.events, j);
        if (deps.workers) deps.workers->Notify();
        Json out = BatchJson(*b);
        return Api::Json(202, out);
    }
    Reply List(Request& req) {
        auto list = deps.db.ListBatches(req.who.user_id, 100);
        if (!list.ok()) return Api::Error(list.error());
        Json items = Json::array();
        for (const auto& b : *list) items.push_back(BatchJson(b));
        return Api::Json(200, Json{{"items", items}});
    }
    Reply Get(Request& req) {
        auto b = Owned(req);
        if (!b.ok()) return Api::Error(b.error());
        auto jobs = Jobs(*b);
        return Api::Json(200, BatchJson(*b, &jobs));
    }
    Reply Cancel(Request& req) {
        auto b = Owned(req);
        if (!b.ok()) return Api::Error(b.error());
        int canceled = 0;
        for (const auto& j : Jobs(*b)) {
            if (core::IsTerminal(j.status)) continue;
            auto c = deps.workers ? deps.workers->Cancel(j.id) : deps.db.RequestCancel(j.id);
            if (c.ok()) {
                jobs::PublishJob(deps.events, *c);
                ++canceled;
            }
        }
        auto again = deps.db.GetBatch(b->id);
        if (!again.ok()) return Api::Error(again.error());
        auto jobs = Jobs(*again);
        Json out = BatchJson(*again, &jobs);
        out["canceled"] = canceled;
        return Api::Json(200, out);
    }
    Reply Retry(Request& req) {
        auto b = Owned(req);
        if (!b.ok()) return Api::Error(b.error());
        int retried = 0;
        for (const auto& j : Jobs(*b)) {
            if (j.status != core::JobState::kFailed && j.status != core::JobState::kCanceled) continue;
            auto r = deps.db.RetryJob(j.id);
            if (r.ok()) {
                jobs::PublishJob(deps.events, *r);
                ++retried;
            }
        }
        if (deps.workers) deps.workers->Notify();
        auto again = deps.db.GetBatch(b->id);
        if (!again.ok()) return Api::Error(again.error());
        auto jobs = Jobs(*again);
        Json out = BatchJson(*again, &jobs);
        out["retried"] = retried;
        return Api::Json(202, out);
    }
};

}  // namespace

std::vector<server::ExtensionRoute> BatchRoutes(BatchDeps deps) {
    auto h = std::make_shared<Handlers>(Handlers{std::move(deps)});
    using server::RouteAccess;
    std::vector<server::ExtensionRoute> out;
    // A batch body carries up to 500 generate requests.
    out.push_back({"POST", "/api/v1/generate/batch", RouteAccess::kUser,
                   [h](Request& r) { return h->Create(r); }, false, 4u << 20});
    out.push_back({"GET", "/api/v1/batches", RouteAccess::kUser, [h](Request& r) { return h->List(r); }});
    out.push_back({"GET", "/api/v1/batches/{id}", RouteAccess::kUser, [h](Request& r) { return h->Get(r); }});
    out.push_back({"POST", "/api/v1/batches/{id}/cancel", RouteAccess::kUser,
                   [h](Request& r) { return h->Cancel(r); }});
    out.push_back({"POST", "/api/v1/batches/{id}/retry", RouteAccess::kUser,
                   [h](Request& r) { return h->Retry(r); }});
    return out;
}

}  // namespace beacon::app
