#include "app/languages_routes.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <random>

#include "media/hls.hpp"
#include "server/api.hpp"

namespace beacon::app {
namespace {

using server::Api;
using server::Reply;
using server::Request;

core::Result<std::int64_t> ContentId(const Request& req) {
    auto it = req.params.find("id");
    std::int64_t id = 0;
    if (it == req.params.end()) return core::Error::Invalid("missing content id");
    const std::string& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || p != s.data() + s.size() || id <= 0)
        return core::Error::NotFound("no content '" + s.substr(0, 20) + "'");
    return id;
}

core::Json Languages(pipeline::LocalizeJob& localize, storage::ObjectStore& store,
                     const core::Content& c) {
    const std::string from = c.languages.empty() ? "en" : c.languages.front();
    core::Json targets = core::Json::array();
    for (const auto& t : localize.Targets(from))
        targets.push_back({{"language", t}, {"name", media::LanguageName(t)}});
    return {{"content_id", c.id},
            {"original", from},
            {"languages", pipeline::ReadLanguages(store, c)},
            {"targets", targets}};
}

}  // namespace

std::vector<server::ExtensionRoute> LanguageRoutes(pipeline::LocalizeJob& localize,
                                                   storage::ContentStore& db,
                                                   storage::ObjectStore& store,
                                                   jobs::EventBus& events,
                                                   jobs::WorkerPool* workers) {
    std::vector<server::ExtensionRoute> routes;
    routes.push_back({"GET", "/api/v1/content/{id}/languages", server::RouteAccess::kUser,
                      [&localize, &db, &store](Request& req) -> Reply {
                          auto id = ContentId(req);
                          if (!id.ok()) return Api::Error(id.error());
                          auto c = db.GetContent(*id);
                          if (!c.ok()) return Api::Error(c.error());
                          return Api::Json(200, Languages(localize, store, *c));
                      }});
    routes.push_back(
        {"POST", "/api/v1/content/{id}/languages", server::RouteAccess::kUser,
         [&localize, &db, &events, workers](Request& req) -> Reply {
             auto id = ContentId(req);
             if (!id.ok()) return Api::Error(id.error());
             core::Json body = core::Json::parse(req.msg.body(), nullptr, false);
             if (body.is_discarded()) return Api::Error(400, "invalid_argument", "body is not JSON");
             auto r = pipeline::ParseLocalizeRequest(body);
             if (!r.ok()) return Api::Error(r.error());
             auto c = db.GetContent(*id);
             if (!c.ok()) return Api::Error(c.error());
             const std::string from = c->languages.empty() ? "en" : c->languages.front();
             const auto targets = localize.Targets(from);
             if (r->language != from &&
                 std::find(targets.begin(), targets.end(), r->language) == targets.end()) {
                 // Refused before any job: the answer names what is supported.
                 auto st = localize.Check(*c, *r);
                 return Api::Error(422, "unsupported_language",
                                   st.ok() ? "unsupported language" : st.error().message);
             }
             if (auto st = localize.Check(*c, *r); !st.ok()) {
                 if (st.error().code == core::ErrorCode::kInvalidArgument)
                     return Api::Error(422, "invalid_argument", st.error().message);
                 return Api::Error(st.error());
             }
             if (workers) {
                 if (auto room = workers->disk().AdmitNewJob(); !room.ok())
                     return Api::Error(room.error());
             }
             auto job = localize.Enqueue(req.who.user_id, *c, *r);
             if (!job.ok()) return Api::Error(job.error());
             jobs::PublishJob(events, *job);
             if (workers) workers->Notify();
             return Api::Json(202, {{"job_id", job->id},
                                    {"status", core::ToString(job->status)},
                                    {"kind", job->kind}});
         }});
    routes.push_back({"DELETE", "/api/v1/content/{id}/languages/{lang}",
                      server::RouteAccess::kUser,
                      [&localize, &store](Request& req) -> Reply {
                          auto id = ContentId(req);
                          if (!id.ok()) return Api::Error(id.error());
                          auto lang = req.params.find("lang");
                          if (lang == req.params.end())
                              return Api::Error(400, "invalid_argument", "missing language");
                          auto c = localize.Remove(*id, lang->second);
                          if (!c.ok()) return Api::Error(c.error());
                          return Api::Json(200, Languages(localize, store, *c));
                      }});
    return routes;
}

std::vector<server::ExtensionRoute> ImportRoutes(pipeline::ImportJob& importer,
                                                 const media::MediaOptions& media,
                                                 const std::filesystem::path& scratch,
                                                 jobs::EventBus& events, jobs::WorkerPool* workers) {
    server::ExtensionRoute r{"POST", "/api/v1/import", server::RouteAccess::kUser,
                             [&importer, media, scratch, &events, workers](Request& req) -> Reply {
        const std::string type = req.Header("Content-Type");
        pipeline::UploadedFile up;
        if (type.find("multipart/form-data") != std::string::npos) {
            auto parsed = pipeline::ParseMultipartUpload(type, req.msg.body());
            if (!parsed.ok()) return Api::Error(parsed.error());
            up = std::move(parsed).value();
        } else {
            up.filename = req.Query("filename");
            up.title = req.Query("title");
            up.content = std::move(req.msg.body());
            if (up.content.empty())
                return Api::Error(400, "invalid_argument", "send the file as multipart field 'file'");
        }
        if (up.title.size() > core::kMaxTitleChars)
            return Api::Error(400, "invalid_argument", "title is too long");
        if (workers) {
            if (auto room = workers->disk().AdmitNewJob(); !room.ok()) return Api::Error(room.error());
        }
        std::error_code ec;
        std::filesystem::create_directories(scratch, ec);
        std::random_device rd;
        const auto file = scratch / ("upload-" + std::to_string(rd()) + "-" +
                                     std::to_string(core::NowMillis()));
        {
            std::ofstream out(file, std::ios::binary);
            out << up.content;
            if (!out) return Api::Error(core::Error::Unavailable("cannot store the upload"));
        }
        up.content.clear();
        auto kind = pipeline::ProbeUpload(media, file);
        if (!kind.ok()) {
            std::filesystem::remove(file, ec);
            return Api::Error(415, "unsupported_media_type", kind.error().message);
        }
        auto job = importer.Enqueue(req.who.user_id, file, up.filename, up.title,
                                    req.HasQuery("language") ? req.Query("language") : "en");
        std::filesystem::remove(file, ec);
        if (!job.ok()) return Api::Error(job.error());
        jobs::PublishJob(events, *job);
        if (workers) workers->Notify();
        return Api::Json(202, {{"job_id", job->id},
                               {"status", core::ToString(job->status)},
                               {"kind", job->kind},
                               {"duration", kind->duration},
                               {"video", kind->video},
                               {"audio", kind->audio}});
    }};
    r.max_body_bytes = kMaxImportBytes;
    return {r};
}

}  // namespace beacon::app
