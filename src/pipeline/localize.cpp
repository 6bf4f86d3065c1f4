#include "pipeline/localize.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "core/object_keys.hpp"
#include "engines/apertium.hpp"
#include "engines/captions.hpp"
#include "engines/espeak_voice.hpp"
#include "media/assembly.hpp"
#include "media/command.hpp"
#include "media/hls.hpp"
#include "media/runner.hpp"
#include "pipeline/localize_fit.hpp"
#include "pipeline/localize_internal.hpp"

namespace beacon::pipeline {
namespace {

using namespace localize_detail;  // NOLINT: helpers shared by the localize job's files

using core::Error;
using core::Json;
using core::Result;
using core::Status;
using core::object_keys::MediaUrl;
namespace fs = std::filesystem;

/// One publish or removal at a time: they rewrite the same item's playlists and MP4.
std::mutex g_publish_mu;

bool EndsSentence(const std::string& text) {
    std::string t = text;
    while (!t.empty() && (t.back() == ' ' || t.back() == '"' || t.back() == '\'' || t.back() == ')'))
        t.pop_back();
    if (t.empty()) return true;
    if (t.ends_with("\xE2\x80\xA6")) return true;  // …
    const char c = t.back();
    return c == '.' || c == '!' || c == '?';
}

bool ValidLanguage(const std::string& l) {
    if (l.size() < 2 || l.size() > 3) return false;
    return l.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
}

/// Streams of an MP4 with their type and language tag (ffprobe).
struct TaggedStream {
    int index = 0;
    std::string type;
    std::string language;
};
Result<std::vector<TaggedStream>> TaggedStreams(const media::MediaOptions& m,
                                                const std::string& file,
                                                const media::RunOptions& run) {
    media::RunOptions quiet = run;
    quiet.on_progress = nullptr;
    quiet.on_command = nullptr;
    BEACON_TRY(out, media::Run(m, {m.ffprobe, "-v", "error", "-show_entries",
                                       "stream=index,codec_type:stream_tags=language", "-of",
                                       "json", file},
                                      quiet));
    Json j = Json::parse(out.stdout_text, nullptr, false);
    if (j.is_discarded() || !j.contains("streams")) {
        return Error::External("ffprobe: unreadable answer for " + file);
    }
    std::vector<TaggedStream> streams;
    for (const auto& s : j["streams"]) {
        TaggedStream t;
        t.index = s.value("index", 0);
        t.type = s.value("codec_type", "");
        if (s.contains("tags")) t.language = s["tags"].value("language", "");
        streams.push_back(t);
    }
    return streams;
}

std::string LanguagesKey(std::int64_t cid) { return LibraryPrefix(cid) + "languages.json"; }

Json FindLanguage(const Json& list, const std::string& lang) {
    for (const auto& l : list) {
        if (l.value("language", "") == lang) return l;
    }
    return nullptr;
}

std::string OriginalLanguage(const core::Content& c) {
    return c.languages.empty() ? "en" : c.languages.front();
}

}  // namespace

// ---- pure policy ------------------------------------------------------------------------------

Result<LocalizeRequest> ParseLocalizeRequest(const Json& body) {
    if (!body.is_object()) return Error::Invalid("body must be a JSON object");
    LocalizeRequest r;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string& k = it.key();
        if (k == "language") {
            if (!it->is_string()) return Error::Invalid("language must be a string");
            r.language = it->get<std::string>();
        } else if (k == "voice") {
            if (!it->is_string() || it->get<std::string>().size() > 200)
                return Error::Invalid("voice must be a string of at most 200 characters");
            r.voice = it->get<std::string>();
        } else if (k == "captions_only") {
            if (!it->is_boolean()) return Error::Invalid("captions_only must be a boolean");
            r.captions_only = it->get<bool>();
        } else {
            return Error::Invalid("unknown field '" + k +
                                  "' (allowed: language, voice, captions_only)");
        }
    }
    if (r.language.empty()) return Error::Invalid("language is required (e.g. \"es\")");
    if (!ValidLanguage(r.language)) {
        return Error::Invalid("language must be an ISO 639-1 code such as \"es\", not '" +
                              r.language.substr(0, 16) + "'");
    }
    return r;
}

Json ToJson(const LocalizeRequest& r) {
    return Json{{"language", r.language}, {"voice", r.voice}, {"captions_only", r.captions_only}};
}

std::vector<SourceLine> SentencesFromCues(const std::vector<engines::Cue>& cues, double max_gap) {
    std::vector<SourceLine> out;
    bool open = false;
    for (const auto& c : cues) {
        const std::string text = OneLine(c.text);
        if (text.empty()) continue;
        if (open && !out.empty() && c.start - out.back().end < max_gap) {
            out.back().text += " " + text;
            out.back().end = c.end;
        } else {
            out.push_back({c.start, c.end, text});
        }
        open = !EndsSentence(text);
    }
    return out;
}

double TempoFor(double duration, double slot) {
    if (slot <= 0) return kMaxTempo;
    return std::clamp(duration / slot, 1.0, kMaxTempo);
}

FitPlan PlanFit(double natural, double slot, bool can_rate, double max_speed) {
    FitPlan p;
    if (slot <= 0 || natural <= slot) return p;
    const double need = natural / slot;
    if (can_rate) p.rate = std::min({need, kMaxRate, max_speed});
    p.tempo = std::clamp(need / p.rate, 1.0, std::max(1.0, std::min(kMaxTempo, max_speed / p.rate)));
    p.over_speed = p.rate * p.tempo > kMaxSpeed + 1e-9;
    return p;
}

DubPlacement PlaceDubLine(double cue, double next, bool last, double prev_end, double natural,
                          bool can_rate, double max_speed) {
    DubPlacement d;
    // Late only as far as the previous line forces it (it was allowed kOnsetShift past our cue).
    const double free_from = prev_end < 0 ? 0.0 : prev_end + kLineGap;
    d.start = std::min(std::max(cue, free_from), cue + kOnsetShift);
    double end = last ? next : next - kLineGap;
    if (natural / kMaxSpeed > end - d.start) {
        // Too long even at full speed: borrow the onset tolerance on both sides.
        if (d.start <= cue) d.start = std::max({cue - kOnsetShift, free_from, 0.0});
        if (!last) end = next + kOnsetShift - kLineGap;
    }
    d.slot = std::max(0.2, end - d.start);
    d.plan = PlanFit(natural, d.slot, can_rate, max_speed);
    return d;
}

std::vector<engines::Cue> CuesForLines(const std::vector<SourceLine>& lines) {
    std::vector<engines::Cue> out;
    for (const auto& l : lines) {
        std::vector<std::string> words;
        std::istringstream in(l.text);
        for (std::string w; in >> w;) words.push_back(w);
        if (words.empty() || l.end <= l.start) continue;
        double total = 0;
        for (const auto& w : words) total += static_cast<double>(w.size()) + 1;
        std::vector<engines::WordTiming> timed;
        double t = l.start;
        const double span = l.end - l.start;
        for (const auto& w : words) {
            const double d = span * (static_cast<double>(w.size()) + 1) / total;
            timed.push_back({w, t, t + d});
            t += d;
        }
        for (auto& c : engines::GroupWordsIntoCues(timed)) out.push_back(std::move(c));
    }
    return out;
}

std::vector<std::string> ApertiumTargets(const std::vector<std::string>& pairs,
                                         const std::string& from) {
    static const char* kIso1[] = {"en", "es", "ca", "fr", "pt", "it", "de", "gl", "eo", "oc",
                                  "eu", "ro", "nl", "sv", "da", "nb", "nn", "af", "cy", "br"};
    const std::string from3 = engines::ApertiumLanguage(from);
    std::vector<std::string> out;
    for (const auto& p : pairs) {
        const auto dash = p.find('-');
        // Pairs are named with three-letter codes ("eng-spa") or, the older ones, two ("en-gl").
        if (dash == std::string::npos || (p.substr(0, dash) != from3 && p.substr(0, dash) != from))
            continue;
        std::string to = p.substr(dash + 1);
        for (const char* c : kIso1) {
            if (engines::ApertiumLanguage(c) == to) to = c;
        }
        if (ValidLanguage(to) && to != from) out.push_back(to);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> LlmTargets(const std::string& from) {
    std::vector<std::string> out;
    for (const char* c : {"ar", "ca", "cs", "da", "de", "el", "en", "es", "fi", "fr", "hi", "hu",
                          "id", "it", "ja", "ko", "nl", "no", "pl", "pt", "ro", "ru", "sv", "tr",
                          "uk", "vi", "zh"}) {
        if (from != c) out.push_back(c);
    }
    return out;
}

Json ReadLanguages(storage::ObjectStore& store, const core::Content& c) {
    auto text = store.Get(LanguagesKey(c.id));
    if (text.ok()) {
        Json j = Json::parse(*text, nullptr, false);
        if (!j.is_discarded() && j.is_array()) return j;
    }
    Json list = Json::array();
    list.push_back({{"language", OriginalLanguage(c)},
                    {"name", media::LanguageName(OriginalLanguage(c))},
                    {"original", true},
                    {"dub", !c.hls_key.empty() || !c.mp4_key.empty()},
                    {"captions", !c.vtt_key.empty()},
                    {"captions_url", c.vtt_key.empty() ? Json() : Json(MediaUrl(c.vtt_key))},
                    {"engines", Json::object()}});
    return list;
}

// ---- the job ---------------------------------------------------------------------------------

LocalizeJob::LocalizeJob(engines::Translator& translator, LocalizeOptions options,
                         storage::JobStore& queue, storage::ContentStore& library,
                         storage::ObjectStore& store, jobs::EventBus& events,
                         media::MediaOptions media, std::filesystem::path scratch_dir)
    : translator_(translator),
      options_(std::move(options)),
      queue_(queue),
      library_(library),
      store_(store),
      events_(events),
      media_(std::move(media)),
      scratch_(std::move(scratch_dir)) {}

std::vector<std::string> LocalizeJob::Targets(const std::string& from) const {
    std::vector<std::string> out = options_.targets ? options_.targets(from) : std::vector<std::string>{};
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Status LocalizeJob::Check(const core::Content& c, const LocalizeRequest& r) {
    const std::string from = OriginalLanguage(c);
    if (r.language == from) {
        return Error::Conflict("'" + r.language + "' is the item's original language");
    }
    if (!FindLanguage(ReadLanguages(store_, c), r.language).is_null()) {
        return Error::Conflict("the item already has language '" + r.language +
                               "' (delete it first to make it again)");
    }
    const auto targets = Targets(from);
    if (std::find(targets.begin(), targets.end(), r.language) == targets.end()) {
        std::string list;
        for (const auto& t : targets) list += (list.empty() ? "" : ", ") + t;
        return Error::Invalid("cannot translate " + from + " → " + r.language + " with " +
                              translator_.Describe().engine + "; supported targets from " + from +
                              ": " + (list.empty() ? "none installed" : list));
    }
    if (c.vtt_key.empty()) {
        return Error::Invalid("the item has no captions to translate (run captions first)");
    }
    if (!r.captions_only && !options_.voice) {
        return Error::Invalid("no multilingual voice is configured; use captions_only");
    }
    return {};
}

Result<core::Job> LocalizeJob::Enqueue(std::int64_t user_id, const core::Content& c,
                                       const LocalizeRequest& r) {
    core::GenerateRequest shown;
    shown.prompt = std::string(r.captions_only ? "Captions" : "Dub") + " in " +
                   media::LanguageName(r.language) + " (" + r.language + ") for \"" + c.title +
                   "\"";
    if (shown.prompt.size() > core::kMaxPromptChars) shown.prompt.resize(core::kMaxPromptChars);
    shown.title = c.title;
    shown.language = r.language;
    shown.voice = r.voice;
    shown.produce_preview = false;
    shown.duration_target = std::clamp(c.duration, core::kMinDurationSeconds,
                                       core::kMaxDurationSeconds);
    Json params = ToJson(r);
    params["content_id"] = c.id;
    params["from"] = OriginalLanguage(c);
    return queue_.CreateJobOfKind(user_id, kLocalizeKind, params, shown);
}

std::vector<jobs::Stage> LocalizeJob::StagesFor(const core::Job&) {
    return {
        {kTranslateStage, core::JobState::kGeneratingScript, 0, 20,
         [this](jobs::StageContext& c) { return RunTranslate(c); }},
        {kDubStage, core::JobState::kRenderingFinal, 20, 75,
         [this](jobs::StageContext& c) { return RunDub(c); }},
        {kPublishStage, core::JobState::kComposing, 75, 100,
         [this](jobs::StageContext& c) { return RunPublish(c); }},
    };
}

void LocalizeJob::Release(const core::Job& job) {
    std::error_code ec;
    fs::remove_all(scratch_ / ("localize-" + std::to_string(job.id)), ec);
}

Result<Json> LocalizeJob::RunTranslate(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    const auto t0 = std::chrono::steady_clock::now();
    const std::int64_t cid = job.params.value("content_id", std::int64_t{0});
    const std::string to = job.params.value("language", "");
    const std::string from = job.params.value("from", "en");
    BEACON_TRY(content, library_.GetContent(cid));
    if (content.vtt_key.empty()) return Error::Invalid("the item has no captions to translate");
    BEACON_TRY(vtt, store_.Get(content.vtt_key));
    BEACON_TRY(cues, engines::ParseWebVtt(vtt));
    const std::vector<SourceLine> lines = SentencesFromCues(cues);
    if (lines.empty()) return Error::Invalid("the item's captions have no text to translate");
    const engines::Provenance prov = translator_.Describe();

    // One call for every line (one line each); line by line when the answer does not keep them.
    std::string joined;
    for (const auto& l : lines) joined += l.text + "\n";
    std::vector<std::string> out;
    auto all = translator_.Translate(joined, from, to, ctx.stop_token());
    if (!all.ok()) return Named(std::move(all).error(), "translation (" + prov.engine + ")");
    {
        std::istringstream in(*all);
        for (std::string l; std::getline(in, l);) {
            l = OneLine(l);
            if (!l.empty()) out.push_back(l);
        }
    }
    if (out.size() != lines.size()) {
        ctx.Log("translation: " + std::to_string(out.size()) + " lines back for " +
                    std::to_string(lines.size()) + "; translating line by line",
                core::LogLevel::kWarn);
        out.clear();
        for (const auto& l : lines) {
            auto one = translator_.Translate(l.text, from, to, ctx.stop_token());
            if (!one.ok()) return Named(std::move(one).error(), "translation (" + prov.engine + ")");
            out.push_back(OneLine(*one));
        }
    }
    Json lj = Json::array();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        // Apertium marks unknown words with '*'; they stay as the source word.
        std::string t = out[i];
        t.erase(std::remove(t.begin(), t.end(), '*'), t.end());
        lj.push_back({{"start", lines[i].start},
                      {"end", lines[i].end},
                      {"source", lines[i].text},
                      {"text", t}});
    }
    ctx.Log("translate: " + std::to_string(lines.size()) + " lines " + from + " → " + to + " by " +
            prov.engine + " in " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - t0)
                               .count()) +
            " ms");
    return Json{{"lines", lj},
                {"duration", content.duration},
                {"translator", {{"engine", prov.engine}, {"model", prov.model}}}};
}

Result<Json> LocalizeJob::RunPublish(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    const std::int64_t cid = job.params.value("content_id", std::int64_t{0});
    const std::string lang = job.params.value("language", "");
    const bool captions_only = job.params.value("captions_only", false);
    const Json tr = ctx.StageOutputs(kTranslateStage);
    const Json dubbed = ctx.StageOutputs(kDubStage);
    std::vector<SourceLine> lines;
    for (const auto& l : (captions_only ? tr : dubbed)["lines"])
        lines.push_back({l.value("start", 0.0), l.value("end", 0.0), l.value("text", "")});
    const std::vector<engines::Cue> cues = CuesForLines(lines);
    BEACON_TRY(dir, MakeDir(scratch_ / ("localize-" + std::to_string(job.id)) / "publish"));
    const fs::path vtt = dir / ("captions_" + lang + ".vtt");
    BEACON_CHECK(WriteFile(vtt, engines::ToWebVtt(cues)));
    fs::path dub;
    if (!captions_only) {
        const std::string key = dubbed.value("dub_key", "");
        dub = store_.LocalPath(key);
        if (dub.empty() || !fs::exists(dub)) return Error::Internal("the dub " + key + " is gone");
    }

    const std::string lib = LibraryPrefix(cid);
    const fs::path mp4 = store_.LocalPath(lib + "video.mp4");
    const fs::path hls_dir = store_.LocalPath(lib + "hls/segments.json").parent_path();
    if (mp4.empty() || hls_dir.empty())
        return Error::Unavailable("adding a language needs a local object store", false);
    // 0. The held cut (lines that did not fit at 1.1x: the picture waits for them), made first and
    // out of sight (a dot folder no playlist names) so a failure leaves the item as it was.
    const bool has_held = !captions_only && dubbed.contains("held");
    const fs::path held_mp4 = dir / ("video_" + lang + ".mp4");
    const fs::path held_vtt = dir / ("held_" + lang + ".vtt");  // MakeHeldCut writes it there
    const fs::path held_stage = hls_dir / (".held_" + lang);
    const std::string held_dir = "held_" + lang;
    std::error_code held_ec;
    if (has_held) {
        if (auto st = MakeHeldCut(ctx, mp4, dubbed["held"], lang, held_mp4, held_stage); !st.ok())
            return st.error();
    }
    struct DropStage {
        const fs::path& p;
        ~DropStage() {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } drop_stage{held_stage};
    ctx.SetProgress(80);

    std::lock_guard lock(g_publish_mu);
    BEACON_TRY(content, library_.GetContent(cid));
    Json languages = ReadLanguages(store_, content);
    if (!FindLanguage(languages, lang).is_null())
        return Error::Conflict("the item already has language '" + lang + "'");
    const std::string lang3 = media::Iso639_2(lang);

    // 1. The MP4 with the extra streams, made beside the published one (no re-encode).
    auto run = RunFor(ctx);
    run.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(media_.timeout);
    BEACON_TRY(streams, TaggedStreams(media_, mp4.string(), run));
    int audio_count = 0, subs_count = 0;
    for (const auto& s : streams) {
        audio_count += s.type == "audio";
        subs_count += s.type == "subtitle";
    }
    const fs::path new_mp4 = dir / "video.mp4";
    media::FfmpegCommand cmd(media_.ffmpeg);
    cmd.AddInput(mp4.string());
    int next_input = 1;
    const int dub_input = captions_only ? -1 : next_input++;
    if (dub_input > 0) cmd.AddInput(dub.string());
    const int subs_input = next_input++;
    cmd.AddInput(vtt.string());
    cmd.Map("0:v").Map("0:a");
    if (dub_input > 0) cmd.Map(std::to_string(dub_input) + ":a:0");
    cmd.Map("0:s?").Map(std::to_string(subs_input) + ":s:0");
    cmd.Option("-c", "copy").Option("-c:s", "mov_text");
    if (dub_input > 0) {
        cmd.Option("-metadata:s:a:" + std::to_string(audio_count), "language=" + lang3);
        cmd.Option("-disposition:a:" + std::to_string(audio_count), "0");
    }
    cmd.Option("-metadata:s:s:" + std::to_string(subs_count), "language=" + lang3);
    cmd.Option("-movflags", "+faststart").Output(new_mp4.string());
    const auto p0 = std::chrono::steady_clock::now();
    auto remux = media::Run(media_, cmd.Argv(), run);
    if (!remux.ok()) return Named(std::move(remux).error(), "MP4 remux (ffmpeg)");
    ctx.SetProgress(85);
    const auto p1 = std::chrono::steady_clock::now();

    // 2. HLS renditions (master playlist replaced last, atomically).
    media::HlsLanguage hl;
    hl.code = lang;
    hl.audio_file = dub.string();
    for (const auto& c : cues) hl.cues.push_back({c.start, c.end, c.text});
    auto added = media::AddHlsLanguage(media_, hls_dir.string(), mp4.string(), hl, run);
    if (!added.ok()) return Named(std::move(added).error(), "HLS packaging");
    ctx.SetProgress(95);
    const auto p2 = std::chrono::steady_clock::now();
    auto ms = [](auto d) {
        return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    ctx.Log("publish: MP4 remux " + ms(p1 - p0) + " ms, HLS renditions " + ms(p2 - p1) + " ms");

    // 3. The MP4, captions and languages.json; the item's row last.
    auto undo = [&] {
        (void)media::RemoveHlsLanguage(hls_dir.string(), lang);
        fs::remove_all(hls_dir / held_dir, held_ec);
        (void)store_.Delete(lib + "video_" + lang + ".mp4");
        (void)store_.Delete(lib + "captions_" + lang + "_held.vtt");
    };
    if (has_held) {
        fs::remove_all(hls_dir / held_dir, held_ec);
        fs::rename(held_stage, hls_dir / held_dir, held_ec);
        auto st = held_ec ? core::Status(Error::Unavailable("cannot move the held cut into place: " +
                                                            held_ec.message()))
                          : store_.PutFile(lib + "video_" + lang + ".mp4", held_mp4);
        if (st.ok()) st = store_.PutFile(lib + "captions_" + lang + "_held.vtt", held_vtt);
        if (!st.ok()) {
            undo();
            return Named(std::move(st).error(), "publishing the held cut");
        }
    }
    if (auto st = store_.PutFile(lib + "video.mp4", new_mp4); !st.ok()) {
        undo();
        return Named(std::move(st).error(), "publishing the MP4");
    }
    const std::string vtt_key = lib + "captions_" + lang + ".vtt";
    BEACON_CHECK(store_.PutFile(vtt_key, vtt));
    Json translator = tr.value("translator", Json::object());
    Json engines_used = {{"translation", translator.value("engine", "")}};
    if (!captions_only) engines_used["voice"] = dubbed["voice"].value("engine", "");
    languages.push_back({{"language", lang},
                         {"name", media::LanguageName(lang)},
                         {"original", false},
                         {"dub", !captions_only},
                         {"captions", true},
                         {"captions_url", MediaUrl(vtt_key)},
                         {"machine_translated", true},
                         {"engines", engines_used},
                         {"job_id", job.id}});
    if (has_held) {
        const Json& h = dubbed["held"];
        languages.back()["held"] = {
            {"mp4_url", MediaUrl(lib + "video_" + lang + ".mp4")},
            {"hls_url", MediaUrl(lib + "hls/" + held_dir + "/master.m3u8")},
            {"captions_url", MediaUrl(lib + "captions_" + lang + "_held.vtt")},
            {"duration", h.value("duration", 0.0)},
            {"holds", h.value("holds", Json::array())},
            {"over_speed", h.value("over_speed", 0)}};
    }
    BEACON_CHECK(store_.Put(LanguagesKey(cid), languages.dump(2)));
    if (std::find(content.languages.begin(), content.languages.end(), lang) ==
        content.languages.end()) {
        if (content.languages.empty()) content.languages.push_back(OriginalLanguage(content));
        content.languages.push_back(lang);
    }
    content.updated_at = core::NowMillis();
    BEACON_CHECK(library_.UpdateContent(content));
    events_.Publish(jobs::EventType::kContentUpdated, core::ToJson(content));
    std::error_code ec;
    fs::remove_all(scratch_ / ("localize-" + std::to_string(job.id)), ec);
    ctx.Log("publish: " + lang + " added (" + std::to_string(added->files.size()) + " HLS files)");
    return Json{{"content_id", cid}, {"language", lang}};
}

Result<core::Content> LocalizeJob::Remove(std::int64_t content_id, const std::string& lang) {
    if (!ValidLanguage(lang)) return Error::Invalid("bad language code '" + lang.substr(0, 16) + "'");
    std::lock_guard lock(g_publish_mu);
    BEACON_TRY(content, library_.GetContent(content_id));
    if (lang == OriginalLanguage(content)) {
        return Error::Conflict("'" + lang + "' is the item's original language");
    }
    Json languages = ReadLanguages(store_, content);
    if (FindLanguage(languages, lang).is_null()) {
        return Error::NotFound("the item has no language '" + lang + "'");
    }
    const std::string lib = LibraryPrefix(content_id);
    const fs::path mp4 = store_.LocalPath(lib + "video.mp4");
    const fs::path hls_dir = store_.LocalPath(lib + "hls/segments.json").parent_path();
    if (mp4.empty() || hls_dir.empty())
        return Error::Unavailable("removing a language needs a local object store", false);

    // The MP4 without that language's streams, made first (nothing changes if it fails).
    media::RunOptions run;
    run.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(media_.timeout);
    BEACON_TRY(streams, TaggedStreams(media_, mp4.string(), run));
    const std::string lang3 = media::Iso639_2(lang);
    BEACON_TRY(dir, MakeDir(scratch_ / ("remove-" + std::to_string(content_id) + "-" + lang)));
    const fs::path new_mp4 = dir / "video.mp4";
    media::FfmpegCommand cmd(media_.ffmpeg);
    cmd.AddInput(mp4.string());
    for (const auto& s : streams) {
        if (s.type != "video" && s.type != "audio" && s.type != "subtitle") continue;
        if (s.type != "video" && s.language == lang3) continue;
        cmd.Map("0:" + std::to_string(s.index));
    }
    cmd.Option("-c", "copy").Option("-movflags", "+faststart").Output(new_mp4.string());
    auto remux = media::Run(media_, cmd.Argv(), run);
    if (!remux.ok()) return Named(std::move(remux).error(), "MP4 remux (ffmpeg)");

    std::error_code ec;
    auto removed = media::RemoveHlsLanguage(hls_dir.string(), lang);
    if (!removed.ok() && removed.error().code != core::ErrorCode::kNotFound) return removed.error();
    BEACON_CHECK(store_.PutFile(lib + "video.mp4", new_mp4));
    (void)store_.Delete(lib + "captions_" + lang + ".vtt");
    (void)store_.Delete(lib + "video_" + lang + ".mp4");
    (void)store_.Delete(lib + "captions_" + lang + "_held.vtt");
    fs::remove_all(hls_dir / ("held_" + lang), ec);
    Json kept = Json::array();
    for (const auto& l : languages) {
        if (l.value("language", "") != lang) kept.push_back(l);
    }
    BEACON_CHECK(store_.Put(LanguagesKey(content_id), kept.dump(2)));
    std::erase(content.languages, lang);
    content.updated_at = core::NowMillis();
    BEACON_CHECK(library_.UpdateContent(content));
    fs::remove_all(dir, ec);
    events_.Publish(jobs::EventType::kContentUpdated, core::ToJson(content));
    return content;
}

}  // namespace beacon::pipeline
