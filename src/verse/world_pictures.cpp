#include "verse/world_pictures.hpp"

#include <chrono>
#include <fstream>

namespace beacon::verse {

using core::Error;
using core::Result;

WorldPictureEngine::WorldPictureEngine(engines::PictureEngine& inner, VerseService& verse,
                                       WorldPictureOptions options)
    : inner_(inner), verse_(verse), options_(std::move(options)) {}

std::string WorldPictureEngine::RendererName() {
    std::lock_guard lock(mu_);
    if (renderer_.empty()) {
        auto v = ChromiumVersion(options_.chromium);
        renderer_ = v.ok() ? *v : options_.chromium;
    }
    return renderer_;
}

Result<engines::PictureResult> WorldPictureEngine::Paint(const engines::PictureRequest& req,
                                                         const std::filesystem::path& out_dir,
                                                         const engines::LogSink& log,
                                                         std::stop_token stop) {
    if (req.world.is_null()) return inner_.Paint(req, out_dir, log, stop);
    const Json& w = req.world;
    if (!w.is_object() || !w.contains("id") || !w.contains("owner") || !w.contains("revision")) {
        return Error::Invalid("the job's world is malformed: " + w.dump());
    }
    const std::int64_t id = w["id"].get<std::int64_t>();
    const std::int64_t revision = w["revision"].get<std::int64_t>();
    const std::string where = "world " + std::to_string(id) + " revision " + std::to_string(revision);
    auto source = verse_.RenderSourceOf(w["owner"].get<std::int64_t>(), id, revision);
    if (!source.ok()) return Error{source.error().code, where + ": " + source.error().message};
    const Json spec = w.value("camera", Json{{"preset", "orbit"}});
    const CameraPose pose = CameraFor(source->document, spec, req.scene_index, req.scene_count);
    std::vector<RenderAsset> assets;
    for (auto& [hash, mime, bytes] : source->assets) assets.push_back({hash, mime, std::move(bytes)});

    RenderOptions ro;
    ro.chromium = options_.chromium;
    ro.bundle = options_.bundle;
    ro.work_dir = out_dir / "world-render";
    ro.timeout = options_.timeout;
    ro.stop = stop;
    const auto t0 = std::chrono::steady_clock::now();
    auto frames = RenderFrames(ro, source->document, assets, req.width, req.height, {pose});
    std::error_code ec;
    std::filesystem::remove_all(ro.work_dir, ec);
    if (!frames.ok()) return Error{frames.error().code, where + ": " + frames.error().message};
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - t0).count();
    engines::PictureResult out;
    out.image = out_dir / "world.png";
    {
        std::ofstream f(out.image, std::ios::binary);
        f << frames->front();
        if (!f) return Error::Internal("cannot write " + out.image.string());
    }
    out.provenance.engine = "verse-world";
    out.provenance.model = "three.js WebGL in " + RendererName() + " (SwiftShader)";
    out.provenance.builtin = true;
    out.provenance.parameters = {{"world_id", id},
                                 {"world_revision", revision},
                                 {"world_title", w.value("title", "")},
                                 {"camera", ToJson(pose)},
                                 {"camera_spec", spec},
                                 {"render_ms", ms}};
    if (log) {
        log("scene " + std::to_string(req.scene_index + 1) + ": rendered from " + where + " (" +
            std::to_string(req.width) + "x" + std::to_string(req.height) + ") in " +
            std::to_string(ms) + " ms");
    }
    return out;
}

}  // namespace beacon::verse
