#pragma once
/// Internal to the localize job's files (localize.cpp, localize_dub.cpp, localize_held.cpp).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/result.hpp"
#include "jobs/stage.hpp"
#include "media/runner.hpp"

namespace beacon::pipeline::localize_detail {

inline constexpr const char* kTranslateStage = "translate";
inline constexpr const char* kDubStage = "dub";
inline constexpr const char* kPublishStage = "publish";

inline std::string LibraryPrefix(std::int64_t id) {
    return "library/" + std::to_string(id) + "/";
}

inline std::string Fixed(double v, int digits = 3) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

inline core::Status WriteFile(const std::filesystem::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return core::Error::Unavailable("cannot write " + p.string());
    return {};
}

inline core::Result<std::filesystem::path> MakeDir(const std::filesystem::path& p) {
    std::error_code ec;
    std::filesystem::create_directories(p, ec);
    if (ec) return core::Error::Unavailable("cannot create " + p.string() + ": " + ec.message());
    return p;
}

/// `s` on one line: line breaks and tabs as spaces, runs of spaces as one, no trailing space.
inline std::string OneLine(std::string s) {
    for (char& c : s) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    std::string out;
    for (char c : s) {
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

/// ffmpeg runs of a stage: canceled with the job, each command line in the job log.
inline media::RunOptions RunFor(jobs::StageContext& ctx) {
    media::RunOptions run;
    run.stop = ctx.stop_token();
    run.on_command = [&ctx](const std::string& line) { ctx.Log(line, core::LogLevel::kCmd); };
    return run;
}

/// `e` with `what` in front of its message (a cancellation as it is).
inline core::Error Named(core::Error e, const std::string& what) {
    if (e.code != core::ErrorCode::kCanceled) e.message = what + ": " + e.message;
    return e;
}

}  // namespace beacon::pipeline::localize_detail
