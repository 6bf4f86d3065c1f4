// The held cut of a dubbed language: the item's picture with the holds the dub asked for (the
// frame before each hold stays on screen while a long line finishes), the held dub and captions
// timed to it, as an MP4 for download and an HLS package of its own. Only the picture is
// re-encoded, and only for a language whose lines did not fit at kMaxSpeed.
#include <chrono>
#include <string>

#include "engines/captions.hpp"
#include "media/assembly.hpp"
#include "media/command.hpp"
#include "media/hls.hpp"
#include "pipeline/localize.hpp"
#include "pipeline/localize_fit.hpp"
#include "pipeline/localize_internal.hpp"

namespace beacon::pipeline {

using namespace localize_detail;  // NOLINT: helpers shared by the localize job's files
using core::Error;
using core::Json;
namespace fs = std::filesystem;

core::Status LocalizeJob::MakeHeldCut(jobs::StageContext& ctx, const fs::path& mp4,
                                      const Json& held, const std::string& lang,
                                      const fs::path& out_mp4, const fs::path& out_hls) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Hold> holds;
    for (const auto& h : held["holds"]) holds.push_back({h.value("at", 0.0), h.value("seconds", 0.0)});
    const double total = held.value("duration", 0.0);
    const fs::path dub = store_.LocalPath(held.value("dub_key", ""));
    if (holds.empty() || total <= 0 || dub.empty() || !fs::exists(dub))
        return Error::Internal("the held dub is missing");
    double source = total;
    for (const auto& h : holds) source -= h.seconds;

    std::vector<SourceLine> lines;
    for (const auto& l : held["lines"])
        lines.push_back({l.value("start", 0.0), l.value("end", 0.0), l.value("text", "")});
    const fs::path vtt = out_mp4.parent_path() / ("held_" + lang + ".vtt");
    const std::vector<engines::Cue> cues = CuesForLines(lines);
    BEACON_CHECK(WriteFile(vtt, engines::ToWebVtt(cues)));

    // The item's chapters, moved onto the held timeline.
    auto run = RunFor(ctx);
    run.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(media_.timeout);
    media::RunOptions quiet = run;
    quiet.on_command = nullptr;
    auto probed = media::RunProcess(
        {media_.ffprobe, "-v", "error", "-show_chapters", "-of", "json", mp4.string()}, quiet);
    if (!probed.ok()) return Named(std::move(probed).error(), "chapters (ffprobe)");
    const Json chapters = Json::parse(probed->stdout_text, nullptr, false);
    std::string meta = ";FFMETADATA1\n";
    if (!chapters.is_discarded() && chapters.contains("chapters")) {
        for (const auto& c : chapters["chapters"]) {
            const double a = std::stod(c.value("start_time", std::string("0")));
            const double b = std::stod(c.value("end_time", std::string("0")));
            std::string title = c.contains("tags") ? c["tags"].value("title", "") : "";
            for (char& ch : title) {
                if (ch == '\n' || ch == '=' || ch == ';' || ch == '#' || ch == '\\') ch = ' ';
            }
            meta += "[CHAPTER]\nTIMEBASE=1/1000\nSTART=" +
                    std::to_string(std::llround(HeldTime(holds, a) * 1000)) +
                    "\nEND=" + std::to_string(std::llround(HeldTime(holds, b) * 1000)) +
                    "\ntitle=" + title + "\n";
        }
    }
    const fs::path chapters_file = out_mp4.parent_path() / ("held_" + lang + ".chapters.txt");
    BEACON_CHECK(WriteFile(chapters_file, meta));

    // The picture with the holds (the house encoder, keyframes on the segment grid), the held
    // dub as its only audio and its captions, all tagged with the language.
    const std::string lang3 = media::Iso639_2(lang);
    media::FfmpegCommand cmd(media_.ffmpeg);
    cmd.AddInput(mp4.string());
    cmd.AddInput(dub.string());
    cmd.AddInput(vtt.string());
    cmd.AddInput(chapters_file.string());
    cmd.Option("-filter_complex", "[0:v:0]" + HeldVideoFilter(holds, media_.fps, source) + "[v]");
    cmd.Map("[v]").Map("1:a:0").Map("2:s:0");
    cmd.Option("-map_chapters", "3").Option("-map_metadata", "0");
    media::VideoCodec vc;
    vc.preset = "veryfast";
    vc.crf = media_.crf;
    vc.fps = media_.fps;
    vc.gop = media_.fps * media_.segment_seconds;
    vc.segment_seconds = media_.segment_seconds;
    cmd.Options(vc.Args());
    cmd.Option("-c:a", "copy").Option("-c:s", "mov_text");
    cmd.Option("-metadata:s:a:0", "language=" + lang3).Option("-metadata:s:s:0", "language=" + lang3);
    cmd.Option("-t", Fixed(total, 3)).Option("-movflags", "+faststart").Output(out_mp4.string());
    auto rendered = media::RunProcess(cmd.Argv(), run);
    if (!rendered.ok()) return Named(std::move(rendered).error(), "held picture (ffmpeg)");
    const auto t1 = std::chrono::steady_clock::now();

    media::HlsLanguage hl;
    hl.code = lang;
    hl.original = true;
    for (const auto& c : cues) hl.cues.push_back({c.start, c.end, c.text});
    std::error_code ec;
    fs::remove_all(out_hls, ec);
    auto packaged = media::PackageHls(media_, out_mp4.string(), {hl}, out_hls.string(), run);
    if (!packaged.ok()) {
        fs::remove_all(out_hls, ec);
        return Named(std::move(packaged).error(), "held cut HLS packaging");
    }
    auto ms = [](auto d) {
        return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    ctx.Log("publish: held cut for " + lang + " (" + std::to_string(holds.size()) + " holds, " +
            Fixed(total, 2) + " s): picture " + ms(t1 - t0) + " ms, HLS " +
            ms(std::chrono::steady_clock::now() - t1) + " ms");
    return {};
}

}  // namespace beacon::pipeline
