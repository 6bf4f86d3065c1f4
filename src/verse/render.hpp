#pragma once
/// Worlds in videos (issue 17 item 5): camera placement for a video's scenes and the headless
/// render of a world. The render loads the editor's own three.js scene code (the web build's
/// `verse-render/render.js`, from web/src/features/verse/render.ts) in headless Chromium with
/// SwiftShader WebGL, so a frame shows what the editor shows. Nothing is ever painted in place
/// of a failed render: no Chromium, no bundle or no WebGL is an error naming the cause.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::verse {

using core::Json;

struct CameraPose {
    std::array<double, 3> position{0, 2, 8};
    std::array<double, 3> target{0, 0, 0};
    double fov = 50;
};
Json ToJson(const CameraPose& c);

/// The camera presets a generation request may name in `world_camera`.
inline constexpr const char* kCameraPresets[] = {"orbit", "static", "dolly", "rise"};

/// Checks a request's `world_camera`: null (→ "orbit"), a preset name, or
/// {"path": [{"position": [x,y,z], "target": [x,y,z], "fov"?: deg}, ...]} with 1–64 points.
/// Returns the normalised spec ({"preset": name} or {"path": [...]}); Invalid names the problem.
core::Result<Json> CheckCameraSpec(const Json& spec);

/// The camera for scene `index` (0-based) of `count` from a normalised spec and the world
/// document's own camera (the start of every preset).
CameraPose CameraFor(const Json& document, const Json& spec, int index, int count);

/// One asset the document refers to, with its bytes (passed to the page as a data URL).
struct RenderAsset {
    std::string hash;
    std::string mime;
    std::string bytes;
};

struct RenderOptions {
    std::string chromium = "chromium";     // the binary (looked up in PATH)
    std::filesystem::path bundle;          // verse-render/render.js of the web build
    std::filesystem::path work_dir;        // a scratch folder the caller owns
    std::chrono::milliseconds timeout{180'000};
    std::stop_token stop;
};

/// Renders one PNG per camera at width x height. Errors name Chromium, the bundle or the page's
/// own message (e.g. no WebGL).
core::Result<std::vector<std::string>> RenderFrames(const RenderOptions& opts, const Json& document,
                                                    const std::vector<RenderAsset>& assets,
                                                    int width, int height,
                                                    const std::vector<CameraPose>& cameras);

/// The Chromium binary's version line ("Chromium 1xx…"), or an error when it cannot run.
core::Result<std::string> ChromiumVersion(const std::string& chromium);

}  // namespace beacon::verse
