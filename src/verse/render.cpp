#include "verse/render.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "media/runner.hpp"

namespace beacon::verse {

using core::Error;
using core::Result;

namespace {

constexpr double kMaxCoordinate = 1e6;
constexpr std::size_t kMaxPathPoints = 64;

Result<std::array<double, 3>> Vec3(const Json& v, const std::string& what) {
    if (!v.is_array() || v.size() != 3) return Error::Invalid(what + " must be [x, y, z]");
    std::array<double, 3> out{};
    for (std::size_t i = 0; i < 3; ++i) {
        if (!v[i].is_number()) return Error::Invalid(what + " must hold three numbers");
        double d = v[i].get<double>();
        if (!std::isfinite(d) || std::abs(d) > kMaxCoordinate) {
            return Error::Invalid(what + " must hold numbers within ±1e6");
        }
        out[i] = d;
    }
    return out;
}

std::array<double, 3> Lerp(const std::array<double, 3>& a, const std::array<double, 3>& b, double t) {
    return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

CameraPose DocumentCamera(const Json& document) {
    CameraPose c;
    const Json cam = document.value("camera", Json::object());
    if (auto p = Vec3(cam.value("position", Json()), "position"); p.ok()) c.position = *p;
    if (auto t = Vec3(cam.value("target", Json()), "target"); t.ok()) c.target = *t;
    if (cam.contains("fov") && cam["fov"].is_number()) c.fov = cam["fov"].get<double>();
    return c;
}

std::string Base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Result<std::string> Unbase64(std::string_view text) {
    if (text.size() % 4 != 0) return Error::Invalid("base64 length is not a multiple of 4");
    std::string out(3 * (text.size() / 4) + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return Error::Invalid("bad base64");
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts the padding as zero bytes.
    if (text.ends_with("==")) len -= 2;
    else if (text.ends_with("=")) len -= 1;
    out.resize(len);
    return out;
}

std::string Unescape(std::string s) {
    const std::pair<std::string, std::string> kEntities[] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
    for (const auto& [from, to] : kEntities) {
        for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
            s.replace(pos, from.size(), to);
        }
    }
    return s;
}

}  // namespace

Json ToJson(const CameraPose& c) {
    return Json{{"position", c.position}, {"target", c.target}, {"fov", c.fov}};
}

Result<Json> CheckCameraSpec(const Json& spec) {
    if (spec.is_null()) return Json{{"preset", "orbit"}};
    if (spec.is_string()) {
        const std::string name = spec.get<std::string>();
        for (const char* p : kCameraPresets) {
            if (name == p) return Json{{"preset", name}};
        }
        return Error::Invalid("field 'world_camera' must be one of orbit, static, dolly, rise, or "
                              "{\"path\": [{\"position\": [x,y,z], \"target\": [x,y,z]}, ...]}");
    }
    if (!spec.is_object() || !spec.contains("path") || spec.size() != 1 || !spec["path"].is_array()) {
        return Error::Invalid("field 'world_camera' must be a preset name or {\"path\": [...]}");
    }
    const Json& path = spec["path"];
    if (path.empty() || path.size() > kMaxPathPoints) {
        return Error::Invalid("field 'world_camera.path' must hold 1 to 64 points");
    }
    Json out = Json::array();
    for (std::size_t i = 0; i < path.size(); ++i) {
        const Json& p = path[i];
        const std::string at = "world_camera.path[" + std::to_string(i) + "]";
        if (!p.is_object()) return Error::Invalid("field '" + at + "' must be an object");
        for (const auto& [k, _] : p.items()) {
            if (k != "position" && k != "target" && k != "fov") {
                return Error::Invalid("field '" + at + "' has an unknown field '" + k + "'");
            }
        }
        BEACON_TRY(pos, Vec3(p.value("position", Json()), "field '" + at + ".position'"));
        BEACON_TRY(target, Vec3(p.value("target", Json()), "field '" + at + ".target'"));
        double fov = 50;
        if (p.contains("fov")) {
            if (!p["fov"].is_number() || !std::isfinite(p["fov"].get<double>()) ||
                p["fov"].get<double>() < 10 || p["fov"].get<double>() > 120) {
                return Error::Invalid("field '" + at + ".fov' must be 10 to 120 degrees");
            }
            fov = p["fov"].get<double>();
        }
        out.push_back(ToJson(CameraPose{pos, target, fov}));
    }
    return Json{{"path", out}};
}

CameraPose CameraFor(const Json& document, const Json& spec, int index, int count) {
    const CameraPose start = DocumentCamera(document);
    const double t = count > 1 ? static_cast<double>(index) / (count - 1) : 0.0;
    if (spec.contains("path")) {
        const Json& path = spec["path"];
        auto pose = [&](std::size_t i) {
            CameraPose c;
            c.position = Vec3(path[i]["position"], "").value();
            c.target = Vec3(path[i]["target"], "").value();
            c.fov = path[i].value("fov", 50.0);
            return c;
        };
        if (path.size() == 1) return pose(0);
        const double at = t * static_cast<double>(path.size() - 1);
        const auto i = std::min(static_cast<std::size_t>(at), path.size() - 2);
        const double f = at - static_cast<double>(i);
        CameraPose a = pose(i), b = pose(i + 1);
        return CameraPose{Lerp(a.position, b.position, f), Lerp(a.target, b.target, f),
                          a.fov + (b.fov - a.fov) * f};
    }
    const std::string preset = spec.value("preset", "orbit");
    if (preset == "static") return start;
    const std::array<double, 3> off = {start.position[0] - start.target[0],
                                       start.position[1] - start.target[1],
                                       start.position[2] - start.target[2]};
    CameraPose c = start;
    if (preset == "dolly") {
        // Towards the target: half the distance by the last scene.
        const double k = 1.0 - 0.5 * t;
        c.position = {start.target[0] + off[0] * k, start.target[1] + off[1] * k,
                      start.target[2] + off[2] * k};
        return c;
    }
    // orbit (and rise): around the target's vertical axis, a quarter turn per scene at most,
    // the whole video sweeping up to one turn.
    const double step = 2 * std::numbers::pi / std::max(count, 4);
    const double a = step * index;
    c.position = {start.target[0] + off[0] * std::cos(a) + off[2] * std::sin(a),
                  start.position[1],
                  start.target[2] - off[0] * std::sin(a) + off[2] * std::cos(a)};
    if (preset == "rise") {
        const double dist = std::sqrt(off[0] * off[0] + off[1] * off[1] + off[2] * off[2]);
        c.position[1] += dist * 0.6 * t;
    }
    return c;
}

Result<std::vector<std::string>> RenderFrames(const RenderOptions& opts, const Json& document,
                                              const std::vector<RenderAsset>& assets, int width,
                                              int height, const std::vector<CameraPose>& cameras) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (opts.bundle.empty() || !fs::is_regular_file(opts.bundle, ec)) {
        return Error::Unavailable("the Verse render bundle " + opts.bundle.string() +
                                  " is missing (build the web UI: cd web && npm run build)");
    }
    fs::create_directories(opts.work_dir, ec);
    if (ec) return Error::Internal("cannot create " + opts.work_dir.string() + ": " + ec.message());
    fs::copy_file(opts.bundle, opts.work_dir / "render.js", fs::copy_options::overwrite_existing, ec);
    if (ec) return Error::Internal("cannot copy the render bundle: " + ec.message());

    Json job = {{"document", document}, {"width", width}, {"height", height}};
    job["assets"] = Json::object();
    for (const auto& a : assets) job["assets"][a.hash] = "data:" + a.mime + ";base64," + Base64(a.bytes);
    job["cameras"] = Json::array();
    for (const auto& c : cameras) job["cameras"].push_back(ToJson(c));
    // '<' only occurs inside JSON strings, where \u003c means the same: no "</script>" ends the
    // job early, whatever the names in the document say.
    std::string text = job.dump();
    for (auto pos = text.find('<'); pos != std::string::npos; pos = text.find('<', pos)) {
        text.replace(pos, 1, "\\u003c");
    }
    {
        std::ofstream html(opts.work_dir / "render.html", std::ios::binary);
        html << "<!doctype html><html><head><meta charset=\"utf-8\"></head>"
                "<body style=\"margin:0;background:#000\">"
                "<script type=\"application/json\" id=\"verse-job\">"
             << text << "</script><script src=\"render.js\"></script></body></html>";
        if (!html) return Error::Internal("cannot write " + (opts.work_dir / "render.html").string());
    }
    std::vector<std::string> argv = {opts.chromium,
                                     "--headless",
                                     "--use-angle=swiftshader",
                                     "--enable-unsafe-swiftshader",
                                     "--ignore-gpu-blocklist",
                                     "--disable-gpu-sandbox",
                                     "--no-first-run",
                                     "--no-default-browser-check",
                                     "--disable-extensions",
                                     "--disable-background-networking",
                                     "--disable-dev-shm-usage",
                                     "--force-device-scale-factor=1",
                                     "--user-data-dir=" + (opts.work_dir / "profile").string(),
                                     "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                                     "--virtual-time-budget=60000",
                                     "--dump-dom"};
    // Chromium refuses its sandbox as root (containers); the page is our own file of data.
    if (::geteuid() == 0) argv.push_back("--no-sandbox");
    argv.push_back("file://" + fs::absolute(opts.work_dir / "render.html").string());
    media::RunOptions ro;
    ro.timeout = opts.timeout;
    ro.stop = opts.stop;
    ro.max_stdout_bytes = 512u << 20;
    auto run = media::RunProcess(argv, ro);
    if (!run.ok()) {
        return Error{run.error().code, "world render: Chromium (" + opts.chromium +
                                           ") failed: " + run.error().message};
    }
    const std::string& dom = run->stdout_text;
    const auto begin = dom.find("<pre id=\"verse-out\">");
    if (begin == std::string::npos) {
        return Error::External("world render: the render page did not finish (no output from "
                               "Chromium; stderr: " + run->stderr_tail.substr(0, 800) + ")");
    }
    const auto body_start = begin + std::string_view("<pre id=\"verse-out\">").size();
    const auto end = dom.find("</pre>", body_start);
    std::istringstream lines(dom.substr(body_start, end == std::string::npos ? std::string::npos
                                                                             : end - body_start));
    std::vector<std::string> frames;
    bool done = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("VERSE-ERROR ")) {
            return Error::External("world render: the render page failed: " + Unescape(line.substr(12)));
        }
        if (line == "VERSE-DONE") done = true;
        constexpr std::string_view kFrame = "VERSE-FRAME data:image/png;base64,";
        if (line.starts_with(kFrame)) {
            BEACON_TRY(png, Unbase64(std::string_view(line).substr(kFrame.size())));
            frames.push_back(std::move(png));
        }
    }
    if (!done || frames.size() != cameras.size()) {
        return Error::External("world render: the render page returned " +
                               std::to_string(frames.size()) + " of " +
                               std::to_string(cameras.size()) + " frames");
    }
    return frames;
}

Result<std::string> ChromiumVersion(const std::string& chromium) {
    media::RunOptions ro;
    ro.timeout = std::chrono::seconds(20);
    auto run = media::RunProcess({chromium, "--version"}, ro);
    if (!run.ok()) return Error{run.error().code, "Chromium (" + chromium + "): " + run.error().message};
    std::string v = run->stdout_text;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
}

}  // namespace beacon::verse
