// The held cut of a dubbed language: the item's picture with the holds the dub asked for (the
// frame before each hold stays on screen while a long line finishes), the held dub and captions
// timed to it, as an MP4 for download and an HLS package of its own. Only the picture is
// re-encoded, and only for a language whose lines did not fit at kMaxSpeed.
#include <chrono>
#include <cstdlib>
#include <fstream>
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

namespace {

/// The house picture encoder (as the final render), for a held piece or the whole picture.
media::VideoCodec HouseVideo(const media::MediaOptions& m) {
    media::VideoCodec vc;
    vc.preset = "veryfast";
    vc.crf = m.crf;
    vc.fps = m.fps;
    vc.gop = m.fps * m.segment_seconds;
    vc.segment_seconds = m.segment_seconds;
    return vc;
}

/// The held picture made segment by segment from the item's HLS video rendition (every segment
/// starts on a keyframe): a segment without a hold is copied as it is, one with a hold is
/// re-encoded alone with its holds; the pieces are joined by ffmpeg's concat demuxer with their
/// exact durations. Writes the concat list to `list` and returns how many were re-encoded.
core::Result<int> HeldPieces(const media::MediaOptions& m, const fs::path& hls_dir,
                             const std::vector<Hold>& holds, double source, const fs::path& work,
                             const fs::path& list, const media::RunOptions& run) {
    std::ifstream in(hls_dir / "segments.json");
    const Json manifest = Json::parse(in, nullptr, false);
    if (manifest.is_discarded() || !manifest.contains("video") || manifest["video"].empty())
        return Error::Invalid("segments.json has no video");
    std::string text = "ffconcat version 1.0\n";
    double t0 = 0;
    int encoded = 0;
    const std::size_t n = manifest["video"].size();
    for (std::size_t k = 0; k < n; ++k) {
        const auto& seg = manifest["video"][k];
        const double d = seg.value("duration", 0.0);
        const fs::path file = hls_dir / seg.value("uri", "");
        const bool last = k + 1 == n;
        std::vector<Hold> local;
        for (const auto& h : holds) {
            const bool at_end = h.at >= source - 1e-6;
            if ((h.at >= t0 - 1e-9 && h.at < t0 + d - 1e-9 && !at_end) || (last && at_end))
                local.push_back({at_end ? d : h.at - t0, h.seconds});
        }
        std::string piece = file.string();
        double piece_d = d;
        if (!local.empty()) {
            const fs::path out = work / ("held_piece_" + std::to_string(k) + ".ts");
            media::FfmpegCommand cmd(m.ffmpeg);
            cmd.AddInput(file.string());
            cmd.Option("-vf", "setpts=PTS-STARTPTS," + HeldVideoFilter(local, m.fps, d));
            cmd.Map("0:v:0").Options(HouseVideo(m).Args()).Flag("-an");
            cmd.Option("-f", "mpegts").Output(out.string());
            BEACON_TRY(done, media::Run(m, cmd.Argv(), run));
            (void)done;
            piece = out.string();
            for (const auto& h : local) piece_d += h.seconds;
            ++encoded;
        }
        // Absolute (ffmpeg reads a relative entry against the list's folder; a relative --data
        // is common) and quoted for the concat demuxer.
        std::error_code aec;
        const fs::path whole = fs::absolute(piece, aec).lexically_normal();
        std::string quoted;
        for (char c : aec ? piece : whole.string())
            quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        text += "file '" + quoted + "'\nduration " + Fixed(piece_d, 6) + "\n";
        t0 += d;
    }
    BEACON_CHECK(WriteFile(list, text));
    return encoded;
}

}  // namespace

core::Status LocalizeJob::MakeHeldCut(jobs::StageContext& ctx, const fs::path& mp4,
                                      const Json& held, const std::string& lang,
                                      const fs::path& out_mp4, const fs::path& out_hls) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Hold> holds;
    for (const auto& h : held["holds"])
        holds.push_back({h.value("at", 0.0), h.value("seconds", 0.0)});
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
    auto probed = media::Run(
        media_, {media_.ffprobe, "-v", "error", "-show_chapters", "-of", "json", mp4.string()},
        quiet);
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
    // Only the segments with a hold are re-encoded; should the joined picture not come out
    // whole (a frame count off), the whole picture is re-encoded with the holds instead.
    const std::string lang3 = media::Iso639_2(lang);
    const fs::path list = out_mp4.parent_path() / ("held_" + lang + ".ffconcat");
    auto mux = [&](bool pieces) -> core::Status {
        media::FfmpegCommand cmd(media_.ffmpeg);
        if (pieces) {
            cmd.AddInput(list.string(), {"-f", "concat", "-safe", "0"});
        } else {
            cmd.AddInput(mp4.string());
        }
        cmd.AddInput(dub.string());
        cmd.AddInput(vtt.string());
        cmd.AddInput(chapters_file.string());
        if (pieces) {
            cmd.Map("0:v:0").Option("-c:v", "copy");
        } else {
            cmd.Option("-filter_complex",
                       "[0:v:0]" + HeldVideoFilter(holds, media_.fps, source) + "[v]");
            cmd.Map("[v]").Options(HouseVideo(media_).Args());
        }
        cmd.Map("1:a:0").Map("2:s:0");
        cmd.Option("-map_chapters", "3");
        cmd.Option("-c:a", "copy").Option("-c:s", "mov_text");
        cmd.Option("-metadata:s:a:0", "language=" + lang3)
            .Option("-metadata:s:s:0", "language=" + lang3);
        cmd.Option("-t", Fixed(total, 3))
            .Option("-movflags", "+faststart")
            .Output(out_mp4.string());
        auto rendered = media::Run(media_, cmd.Argv(), run);
        if (!rendered.ok()) return Named(std::move(rendered).error(), "held picture (ffmpeg)");
        return {};
    };
    auto frames = [&]() -> long long {
        auto out = media::Run(
            media_,
            {media_.ffprobe, "-v", "error", "-select_streams", "v:0", "-count_packets",
             "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", out_mp4.string()},
            quiet);
        return out.ok() ? std::atoll(out->stdout_text.c_str()) : -1;
    };
    const long long want_frames = std::llround(total * media_.fps);
    auto pieces =
        HeldPieces(media_, out_hls.parent_path(), holds, source, out_mp4.parent_path(), list, run);
    std::string how;
    if (pieces.ok() && mux(true).ok() && std::llabs(frames() - want_frames) <= 1) {
        how = std::to_string(*pieces) + " segment(s) re-encoded";
    } else {
        ctx.Log("held picture: joining re-encoded segments did not give a whole picture (" +
                    (pieces.ok()
                         ? std::to_string(frames()) + " frames for " + std::to_string(want_frames)
                         : pieces.error().message) +
                    "); re-encoding the whole picture",
                core::LogLevel::kWarn);
        BEACON_CHECK(mux(false));
        how = "whole picture re-encoded";
    }
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
            Fixed(total, 2) + " s): picture " + ms(t1 - t0) + " ms (" + how + "), HLS " +
            ms(std::chrono::steady_clock::now() - t1) + " ms");
    return {};
}

}  // namespace beacon::pipeline
