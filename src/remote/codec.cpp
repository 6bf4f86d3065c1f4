#include "remote/codec.hpp"

namespace beacon::remote {

using core::Json;

namespace {

Json OptInt(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(); }

std::optional<std::int64_t> ReadOptInt(const Json& j, const char* name) {
    if (!j.contains(name) || !j[name].is_number_integer()) return std::nullopt;
    return j[name].get<std::int64_t>();
}

template <class T>
void Read(const Json& j, const char* name, T& out) {
    if (j.contains(name) && !j[name].is_null()) out = j[name].get<T>();
}

}  // namespace

Json WireJob(const core::Job& j) {
    return Json{{"id", j.id},
                {"user_id", j.user_id},
                {"request", core::ToJson(j.request)},
                {"status", core::ToString(j.status)},
                {"progress", j.progress},
                {"created_at", j.created_at},
                {"updated_at", j.updated_at},
                {"preview_url", j.preview_url},
                {"final_url", j.final_url},
                {"thumbnail_url", j.thumbnail_url},
                {"vtt_url", j.vtt_url},
                {"error_log", j.error_log},
                {"error_code", j.error_code},
                {"attempts", j.attempts},
                {"run_after", j.run_after},
                {"cancel_requested", j.cancel_requested},
                {"content_id", OptInt(j.content_id)},
                {"stages", j.stages},
                {"kind", j.kind},
                {"params", j.params},
                {"batch_id", OptInt(j.batch_id)},
                {"priority", j.priority}};
}

core::Result<core::Job> ParseWireJob(const Json& j) {
    if (!j.is_object()) return core::Error::External("remote job: not an object");
    try {
        core::Job out;
        Read(j, "id", out.id);
        Read(j, "user_id", out.user_id);
        if (j.contains("request") && j["request"].is_object()) {
            const Json& r = j["request"];
            Read(r, "prompt", out.request.prompt);
            Read(r, "title", out.request.title);
            Read(r, "style", out.request.style);
            Read(r, "voice", out.request.voice);
            Read(r, "language", out.request.language);
            Read(r, "duration_target", out.request.duration_target);
            Read(r, "output_preset", out.request.output_preset);
            Read(r, "produce_preview", out.request.produce_preview);
        }
        auto state = core::ParseJobState(j.value("status", std::string("queued")));
        if (!state) return core::Error::External("remote job: unknown status");
        out.status = *state;
        Read(j, "progress", out.progress);
        Read(j, "created_at", out.created_at);
        Read(j, "updated_at", out.updated_at);
        Read(j, "preview_url", out.preview_url);
        Read(j, "final_url", out.final_url);
        Read(j, "thumbnail_url", out.thumbnail_url);
        Read(j, "vtt_url", out.vtt_url);
        Read(j, "error_log", out.error_log);
        Read(j, "error_code", out.error_code);
        Read(j, "attempts", out.attempts);
        Read(j, "run_after", out.run_after);
        Read(j, "cancel_requested", out.cancel_requested);
        out.content_id = ReadOptInt(j, "content_id");
        if (j.contains("stages") && j["stages"].is_object()) out.stages = j["stages"];
        Read(j, "kind", out.kind);
        if (j.contains("params") && j["params"].is_object()) out.params = j["params"];
        out.batch_id = ReadOptInt(j, "batch_id");
        Read(j, "priority", out.priority);
        return out;
    } catch (const Json::exception& e) {
        return core::Error::External(std::string("remote job: ") + e.what());
    }
}

Json WireContent(const core::Content& c) {
    // The API's shape (core::ToJson) and field names, but the row as stored: the files' object
    // keys where the API answers "/media/<key>" URLs, the times in milliseconds (no rounding
    // through RFC 3339) and the pending flag, so a worker's row round-trips exactly.
    Json j = core::ToJson(c);
    j["mp4_url"] = c.mp4_key;
    j["hls_url"] = c.hls_key;
    j["thumbnail"] = c.thumbnail_key;
    j["poster"] = c.poster_key;
    j["preview_url"] = c.preview_key;
    j["vtt_url"] = c.vtt_key;
    j["chapters_url"] = c.chapters_key;
    j["created_at"] = c.created_at;
    j["updated_at"] = c.updated_at;
    j["pending"] = c.pending;
    return j;
}

core::Result<core::Content> ParseWireContent(const Json& j) {
    if (!j.is_object()) return core::Error::Invalid("content: not an object");
    try {
        core::Content c;
        Read(j, "id", c.id);
        Read(j, "owner_id", c.owner_id);
        c.job_id = ReadOptInt(j, "job_id");
        Read(j, "title", c.title);
        Read(j, "description", c.description);
        Read(j, "prompt", c.prompt);
        Read(j, "mp4_url", c.mp4_key);
        Read(j, "hls_url", c.hls_key);
        Read(j, "thumbnail", c.thumbnail_key);
        Read(j, "poster", c.poster_key);
        Read(j, "preview_url", c.preview_key);
        Read(j, "vtt_url", c.vtt_key);
        Read(j, "chapters_url", c.chapters_key);
        Read(j, "duration", c.duration);
        Read(j, "languages", c.languages);
        Read(j, "published", c.published);
        Read(j, "visibility", c.visibility);
        Read(j, "transcript", c.transcript);
        if (j.contains("script")) c.script = j["script"];
        if (j.contains("entities")) c.entities = j["entities"];
        Read(j, "created_at", c.created_at);
        Read(j, "updated_at", c.updated_at);
        Read(j, "pending", c.pending);
        return c;
    } catch (const Json::exception& e) {
        return core::Error::Invalid(std::string("content: ") + e.what());
    }
}

Json WireAsset(const core::Asset& a) {
    return Json{{"id", a.id},
                {"job_id", OptInt(a.job_id)},
                {"content_id", OptInt(a.content_id)},
                {"kind", a.kind},
                {"hash", a.hash},
                {"key", a.key},
                {"mime", a.mime},
                {"size", a.size},
                {"engine", a.engine},
                {"model", a.model},
                {"parameters", a.parameters},
                {"created_at", a.created_at}};
}

core::Result<core::Asset> ParseWireAsset(const Json& j) {
    if (!j.is_object()) return core::Error::Invalid("asset: not an object");
    try {
        core::Asset a;
        Read(j, "id", a.id);
        a.job_id = ReadOptInt(j, "job_id");
        a.content_id = ReadOptInt(j, "content_id");
        Read(j, "kind", a.kind);
        Read(j, "hash", a.hash);
        Read(j, "key", a.key);
        Read(j, "mime", a.mime);
        Read(j, "size", a.size);
        Read(j, "engine", a.engine);
        Read(j, "model", a.model);
        if (j.contains("parameters")) a.parameters = j["parameters"];
        Read(j, "created_at", a.created_at);
        return a;
    } catch (const Json::exception& e) {
        return core::Error::Invalid(std::string("asset: ") + e.what());
    }
}

Json WireLogLine(const core::JobLogLine& l) {
    return Json{{"id", l.id},       {"job_id", l.job_id}, {"at", l.at},
                {"stage", l.stage}, {"level", l.level},   {"message", l.message}};
}

core::Result<core::JobLogLine> ParseWireLogLine(const Json& j) {
    if (!j.is_object()) return core::Error::External("log line: not an object");
    try {
        core::JobLogLine l;
        Read(j, "id", l.id);
        Read(j, "job_id", l.job_id);
        Read(j, "at", l.at);
        Read(j, "stage", l.stage);
        Read(j, "level", l.level);
        Read(j, "message", l.message);
        return l;
    } catch (const Json::exception& e) {
        return core::Error::External(std::string("log line: ") + e.what());
    }
}

Json WireError(const core::Error& e) {
    return Json{
        {"code", core::ToString(e.code)}, {"message", e.message}, {"retryable", e.retryable}};
}

core::Error ParseWireError(const Json& j) {
    core::Error e = core::Error::Internal(j.value("message", std::string("error")));
    const std::string code = j.value("code", std::string());
    for (auto c :
         {core::ErrorCode::kInvalidArgument, core::ErrorCode::kUnauthorized,
          core::ErrorCode::kForbidden, core::ErrorCode::kNotFound, core::ErrorCode::kConflict,
          core::ErrorCode::kTooLarge, core::ErrorCode::kRateLimited, core::ErrorCode::kCanceled,
          core::ErrorCode::kTimeout, core::ErrorCode::kUnavailable, core::ErrorCode::kExternal,
          core::ErrorCode::kInternal}) {
        if (core::ToString(c) == code) e.code = c;
    }
    e.retryable = j.value("retryable", false);
    return e;
}

}  // namespace beacon::remote
