// The localize job's dub stage: every translated line voiced, its silence cut, fitted to its slot
// and mixed into one track; and, when a line cannot fit at kMaxSpeed, the held cut: the same
// lines on a timeline whose picture holds while a long line finishes (docs/languages.md).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <thread>

#include "engines/espeak_voice.hpp"
#include "media/command.hpp"
#include "pipeline/localize.hpp"
#include "pipeline/localize_fit.hpp"
#include "pipeline/localize_internal.hpp"

namespace beacon::pipeline {
namespace {

using namespace localize_detail;  // NOLINT: helpers shared by the localize job's files
using core::Error;
using core::Json;
using core::Result;
namespace fs = std::filesystem;

long long MsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t0)
        .count();
}

/// One voiced line, silence cut, at a given rate of the voice.
struct Voiced {
    fs::path audio;
    double duration = 0;
    double lead_cut = 0;  // seconds of silence cut before the speech
    double cut = 0;       // seconds of silence cut in all (before and after)
};

/// A line placed on a timeline.
struct Placed {
    fs::path file;
    double start = 0;
    double tempo = 1;
};

/// Every line of one timeline: the shared one (the item's own, speech sped up as a last resort)
/// or the held one (speech at most kMaxSpeed, the picture held for the rest).
struct Fitted {
    std::vector<Placed> placed;
    Json lines = Json::array();
    std::vector<Hold> holds;
    int over_speed = 0;
    int overflows = 0;
    double duration = 0;  // of this timeline
};

}  // namespace

Result<Json> LocalizeJob::RunDub(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    if (job.params.value("captions_only", false)) return Json{{"skipped", true}};
    if (!options_.voice) return Error::Invalid("no multilingual voice is configured");
    const auto t0 = std::chrono::steady_clock::now();
    const std::string lang = job.params.value("language", "");
    const std::string voice_id = job.params.value("voice", "");
    engines::VoiceEngine& voice = *options_.voice;
    const engines::Provenance vprov = voice.Describe();

    // The voice must exist before anything is made.
    BEACON_TRY(voices, voice.ListVoices());
    std::string chosen = voice_id;
    std::string have;
    for (const auto& v : voices) {
        if (v.language == lang || v.language.starts_with(lang + "-")) {
            have += (have.empty() ? "" : ", ") + v.id;
            if (chosen.empty()) chosen = v.id;
        }
    }
    const bool known = std::any_of(voices.begin(), voices.end(),
                                   [&](const auto& v) { return v.id == chosen; });
    if (chosen.empty() || !known) {
        return Error::Invalid("voice engine " + vprov.engine + " has no voice " +
                              (voice_id.empty() ? "for language '" + lang + "'"
                                                : "'" + voice_id + "'") +
                              (have.empty() ? "" : " (voices for " + lang + ": " + have + ")"));
    }

    const Json tr = ctx.StageOutputs(kTranslateStage);
    const double duration = tr.value("duration", 0.0);
    std::vector<SourceLine> lines;
    for (const auto& l : tr["lines"])
        lines.push_back({l.value("start", 0.0), l.value("end", 0.0), l.value("text", "")});
    BEACON_TRY(dir, MakeDir(scratch_ / ("localize-" + std::to_string(job.id)) / "dub"));
    auto* espeak = dynamic_cast<engines::EspeakVoiceEngine*>(options_.voice);
    media::RunOptions quiet;
    quiet.stop = ctx.stop_token();
    quiet.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(media_.timeout);

    // Every line voiced at its natural rate first, a few at a time (eSpeak NG is a child process
    // per line; ElevenLabs has its own request limit), and its leading and trailing silence cut
    // so that fitting works with the speech alone: the lines do not depend on each other.
    std::vector<std::optional<Result<Voiced>>> natural(lines.size());
    double silence_cut = 0;
    {
        const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        const std::size_t workers = std::min<std::size_t>({lines.size(), std::min(hw, 4u)});
        std::atomic<std::size_t> next_line{0};
        std::atomic<bool> failed{false};
        std::vector<std::jthread> pool;
        for (std::size_t w = 0; w < workers; ++w) {
            pool.emplace_back([&] {
                for (std::size_t i = next_line++; i < lines.size() && !failed; i = next_line++) {
                    if (OneLine(lines[i].text).empty()) continue;  // nothing to say (kept silent)
                    engines::VoiceRequest req{lines[i].text, chosen, lang};
                    auto spoken = voice.Speak(req, dir, ctx.stop_token());
                    if (!spoken.ok()) {
                        natural[i] = Named(std::move(spoken).error(), "voice engine " + vprov.engine);
                        failed = true;
                        continue;
                    }
                    auto cut = TrimSilence(media_, spoken->audio, quiet);
                    if (!cut.ok()) {
                        natural[i] = Named(std::move(cut).error(), "silence cut");
                        failed = true;
                        continue;
                    }
                    natural[i] = Voiced{cut->audio, cut->duration, cut->lead_cut,
                                        cut->lead_cut + cut->tail_cut};
                }
            });
        }
    }
    const auto voiced_at = std::chrono::steady_clock::now();

    // The same line at a faster rate of the voice, silence cut too; voiced once per rate.
    std::map<std::pair<std::size_t, long long>, Voiced> faster;
    auto at_rate = [&](std::size_t i, double rate) -> Result<Voiced> {
        const auto key = std::make_pair(i, std::llround(rate * 1000));
        if (auto f = faster.find(key); f != faster.end()) return f->second;
        engines::VoiceRequest req{lines[i].text, chosen, lang};
        auto spoken = espeak->SpeakAt(req, rate, dir, ctx.stop_token());
        if (!spoken.ok()) return Named(std::move(spoken).error(), "voice engine " + vprov.engine);
        BEACON_TRY(cut, TrimSilence(media_, spoken->audio, quiet));
        Voiced v{cut.audio, cut.duration, cut.lead_cut, cut.lead_cut + cut.tail_cut};
        faster.emplace(key, v);
        return v;
    };

    // Places every line on one timeline. `hold`: speech at most kMaxSpeed, and the picture held
    // (at the next line's cue, or at the end) for what still does not fit.
    auto fit = [&](bool hold) -> Result<Fitted> {
        Fitted f;
        double prev_end = -1;  // on this timeline; none yet
        double shift = 0;      // holds so far
        const double max_speed = hold ? kMaxSpeed : kMaxRate * kMaxTempo;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (ctx.stop_token().stop_requested()) return Error::Canceled("canceled while dubbing");
            if (OneLine(lines[i].text).empty()) continue;
            if (!natural[i]) return Error::Canceled("dubbing stopped after a failed line");
            if (!natural[i]->ok()) return natural[i]->error();
            const bool last = i + 1 == lines.size();
            const double next = last ? duration : lines[i + 1].start;
            Voiced spoken = natural[i]->value();
            const DubPlacement at =
                PlaceDubLine(lines[i].start, next, last, prev_end < 0 ? -1 : prev_end - shift,
                             spoken.duration, espeak != nullptr, max_speed);
            double rate = 1;
            if (at.plan.rate > 1.0001 && espeak) {
                BEACON_TRY(v, at_rate(i, at.plan.rate));
                spoken = v;
                rate = at.plan.rate;
            }
            const double tempo =
                hold ? std::clamp(spoken.duration / at.slot, 1.0, std::max(1.0, kMaxSpeed / rate))
                     : TempoFor(spoken.duration, at.slot);
            const bool over_speed = rate * tempo > kMaxSpeed + 1e-9;
            const double length = spoken.duration / tempo;
            const double start = at.start + shift;
            if (over_speed) {
                ++f.over_speed;
                ctx.Log("line " + std::to_string(i + 1) + " needs " + Fixed(rate * tempo, 2) +
                            "x speech to fit its slot (goal at most " + Fixed(kMaxSpeed, 1) + "x)",
                        core::LogLevel::kWarn);
            }
            double held = 0;
            if (hold && length > at.slot + 0.001) {
                held = HoldFor(length - at.slot, media_.fps);
                f.holds.push_back({next, held});
            } else if (length > at.slot + 0.01) {
                ++f.overflows;
                ctx.Log("line " + std::to_string(i + 1) + " runs " +
                            std::to_string(static_cast<int>((length - at.slot) * 1000)) +
                            " ms past its slot at " + Fixed(rate * tempo, 2) + "x (rate " +
                            Fixed(rate, 2) + ", tempo " + Fixed(tempo, 2) + ")",
                        core::LogLevel::kWarn);
            }
            f.placed.push_back({spoken.audio, start, tempo});
            f.lines.push_back({{"start", start},
                               {"end", start + length},
                               {"cue", lines[i].start + shift},
                               {"source_cue", lines[i].start},
                               {"text", lines[i].text},
                               {"rate", rate},
                               {"tempo", tempo},
                               {"silence_cut", spoken.cut},
                               {"over_speed", over_speed},
                               {"hold", held}});
            prev_end = start + length;
            shift += held;
        }
        f.duration = duration + shift;
        return f;
    };

    // One track of the timeline's length: each line delayed to its start, silence elsewhere.
    auto mix = [&](const Fitted& f, const std::string& name) -> Result<std::string> {
        const fs::path out = dir / name;
        media::FfmpegCommand cmd(media_.ffmpeg);
        std::string graph;
        for (std::size_t i = 0; i < f.placed.size(); ++i) {
            cmd.AddInput(f.placed[i].file.string());
            const long long ms = std::llround(f.placed[i].start * 1000);
            graph += "[" + std::to_string(i) + ":a]aresample=48000,aformat=channel_layouts=stereo";
            if (f.placed[i].tempo > 1.0001) graph += ",atempo=" + Fixed(f.placed[i].tempo, 4);
            graph += ",adelay=" + std::to_string(ms) + "|" + std::to_string(ms) + "[l" +
                     std::to_string(i) + "];";
        }
        for (std::size_t i = 0; i < f.placed.size(); ++i) graph += "[l" + std::to_string(i) + "]";
        graph += "amix=inputs=" + std::to_string(f.placed.size()) +
                 ":normalize=0:dropout_transition=0,apad,atrim=0:" + Fixed(f.duration, 3) +
                 ",aresample=48000[out]";
        cmd.Option("-filter_complex", graph).Map("[out]");
        cmd.Option("-c:a", "aac")
            .Option("-b:a", std::to_string(media_.audio_bitrate_kbps) + "k")
            .Option("-ar", "48000")
            .Option("-ac", "2")
            .Option("-t", Fixed(f.duration, 3))
            .Output(out.string());
        auto run = RunFor(ctx);
        run.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(media_.timeout);
        auto mixed = media::Run(media_, cmd.Argv(), run);
        if (!mixed.ok()) return Named(std::move(mixed).error(), "dub mix (ffmpeg)");
        const std::string key = "jobs/" + std::to_string(job.id) + "/" + name;
        BEACON_CHECK(store_.PutFile(key, out));
        return key;
    };

    BEACON_TRY(shared, fit(false));
    if (shared.placed.empty()) return Error::Invalid("the translation has no line with words to dub");
    for (const auto& l : shared.lines) silence_cut += l.value("silence_cut", 0.0);
    ctx.SetProgress(45);
    BEACON_TRY(key, mix(shared, "dub_" + lang + ".m4a"));
    ctx.SetProgress(55);
    Json out = {{"dub_key", key},
                {"lines", shared.lines},
                {"over_speed", shared.over_speed},
                {"overflows", shared.overflows},
                {"voice", {{"engine", vprov.engine}, {"model", chosen}}}};
    std::string held_note;
    if (shared.over_speed > 0 || shared.overflows > 0) {
        // The held cut: speech never beyond kMaxSpeed; the picture waits for the long lines.
        BEACON_TRY(held, fit(true));
        if (!held.holds.empty()) {
            BEACON_TRY(held_key, mix(held, "dub_" + lang + "_held.m4a"));
            Json holds = Json::array();
            for (const auto& h : held.holds) holds.push_back({{"at", h.at}, {"seconds", h.seconds}});
            out["held"] = {{"dub_key", held_key},
                           {"lines", held.lines},
                           {"holds", holds},
                           {"duration", held.duration},
                           {"over_speed", held.over_speed}};
            held_note = "; held cut: " + std::to_string(held.holds.size()) + " holds, " +
                        Fixed(held.duration - duration, 2) + " s longer, " +
                        std::to_string(held.over_speed) + " lines above " + Fixed(kMaxSpeed, 1) +
                        "x";
        }
    }
    ctx.SetProgress(60);
    ctx.Log("dub: " + std::to_string(shared.placed.size()) + " lines by " + vprov.engine + " (" +
            chosen + "), " + Fixed(silence_cut, 2) + " s of silence cut around the lines, " +
            std::to_string(shared.over_speed) + " above " + Fixed(kMaxSpeed, 1) + "x, " +
            std::to_string(shared.overflows) + " past their slot" + held_note + ", in " +
            std::to_string(MsSince(t0)) + " ms (lines voiced in " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(voiced_at - t0)
                               .count()) +
            " ms)");
    return out;
}

}  // namespace beacon::pipeline
