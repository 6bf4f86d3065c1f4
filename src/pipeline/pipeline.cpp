#include "pipeline/pipeline.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "media/assembly.hpp"
#include "media/captions.hpp"
#include "media/hls.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;
using core::Status;
using Clock = std::chrono::steady_clock;

std::string Url(const std::string& key) { return key.empty() ? "" : "/media/" + key; }

std::string JobPrefix(std::int64_t id) { return "jobs/" + std::to_string(id) + "/"; }
std::string LibraryPrefix(std::int64_t id) { return "library/" + std::to_string(id) + "/"; }

long long Ms(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

std::string Ext(const fs::path& p, const std::string& fallback) {
    std::string e = p.extension().string();
    for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (e.empty() || e.size() > 5 ||
        e.find_first_not_of(".abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
        return fallback;
    }
    return e;
}

std::string Mime(const std::string& key) {
    static const std::map<std::string, std::string> kTypes = {
        {".mp4", "video/mp4"},         {".png", "image/png"},
        {".jpg", "image/jpeg"},        {".wav", "audio/wav"},
        {".mp3", "audio/mpeg"},        {".vtt", "text/vtt"},
        {".json", "application/json"}, {".m3u8", "application/vnd.apple.mpegurl"},
        {".ts", "video/mp2t"}};
    auto it = kTypes.find(Ext(key, ""));
    return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Json ProvenanceJson(const engines::Provenance& p) {
    return {{"engine", p.engine},
            {"model", p.model},
            {"parameters", p.parameters},
            {"builtin", p.builtin}};
}

core::Result<std::string> ReadFile(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) return Error::Unavailable("cannot read " + p.string(), false);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

Status WriteFile(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return Error::Unavailable("cannot write " + p.string(), false);
    return {};
}

Result<fs::path> MakeDir(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec) return Error::Unavailable("cannot create " + p.string() + ": " + ec.message(), false);
    return p;
}

/// Where ffmpeg can read a stored object: its local path, or a copy in `scratch`.
Result<std::string> Readable(storage::ObjectStore& store, const std::string& key,
                             const fs::path& scratch) {
    fs::path local = store.LocalPath(key);
    if (!local.empty() && fs::exists(local)) return local.string();
    BEACON_TRY(bytes, store.Get(key));
    BEACON_TRY(dir, MakeDir(scratch / "fetched"));
    fs::path copy = dir / Sha256Hex(key);
    copy += Ext(key, ".bin");
    BEACON_CHECK(WriteFile(copy, bytes));
    return copy.string();
}

/// Puts a finished local file in the store and records it as an asset.
Result<core::Asset> StoreAsset(storage::Database& db, storage::ObjectStore& store,
                               std::int64_t job_id, const std::string& kind, const std::string& key,
                               const fs::path& file, const std::string& hash,
                               const engines::Provenance& prov,
                               const Json& extra = Json::object()) {
    std::error_code ec;
    auto size = static_cast<std::int64_t>(fs::file_size(file, ec));
    if (ec) return Error::Internal("missing output file " + file.string());
    std::string content_hash = hash;
    if (content_hash.empty()) {
        BEACON_TRY(bytes, ReadFile(file));
        content_hash = Sha256Hex(bytes);
    }
    BEACON_CHECK(store.PutFile(key, file));
    core::Asset a;
    a.job_id = job_id;
    a.kind = kind;
    a.hash = content_hash;
    a.key = key;
    a.mime = Mime(key);
    a.size = size;
    a.engine = prov.engine;
    a.model = prov.model;
    a.parameters = prov.parameters.is_object() ? prov.parameters : Json::object();
    for (auto it = extra.begin(); it != extra.end(); ++it) a.parameters[it.key()] = it.value();
    return db.AddAsset(a);
}

/// A cached asset for this hash whose object still exists. A hit made by another job is
/// recorded for this job too (same key, parameters.reused_from), so its content lists the
/// provenance of everything it uses.
std::optional<core::Asset> Cached(storage::Database& db, storage::ObjectStore& store,
                                  const std::string& hash, std::int64_t job_id) {
    auto found = db.FindAssetByHash(hash);
    if (!found.ok() || !found->has_value()) return std::nullopt;
    core::Asset hit = **found;
    if (!store.Exists(hit.key)) return std::nullopt;
    if (hit.job_id != job_id) {
        core::Asset copy = hit;
        copy.id = 0;
        copy.job_id = job_id;
        copy.content_id.reset();
        if (!copy.parameters.is_object()) copy.parameters = Json::object();
        copy.parameters["reused_from"] = hit.id;
        (void)db.AddAsset(copy);
    }
    return hit;
}

engines::Provenance MediaProvenance(const media::MediaOptions& m, const std::string& what) {
    engines::Provenance p;
    p.engine = "ffmpeg";
    p.model = what;
    p.builtin = true;
    p.parameters = {{"fps", m.fps},
                    {"crf", m.crf},
                    {"segment_seconds", m.segment_seconds},
                    {"audio_bitrate_kbps", m.audio_bitrate_kbps},
                    {"loudness_lufs", m.loudness_lufs},
                    {"true_peak_db", m.true_peak_db}};
    return p;
}

/// Run options that log each command (level "cmd") and map ffmpeg progress into the stage.
media::RunOptions RunFor(jobs::StageContext& ctx, double duration, int from, int to) {
    media::RunOptions run;
    run.stop = ctx.stop_token();
    run.on_command = [&ctx](const std::string& line) { ctx.Log(line, "cmd"); };
    if (duration > 0 && to > from) {
        run.on_progress = [&ctx, duration, from, to](double s) {
            double f = std::clamp(s / duration, 0.0, 1.0);
            ctx.SetProgress(from + static_cast<int>(f * (to - from)));
        };
    }
    return run;
}

/// Adds a stage/tool name to an error message.
Error Named(Error e, const std::string& what) {
    if (e.code != core::ErrorCode::kCanceled) e.message = what + ": " + e.message;
    return e;
}

struct SceneRecord {
    int n = 0;
    std::string picture_key;
    std::vector<std::string> layer_keys;
    std::string voice_key;
    double voice_duration = 0;
    std::vector<media::Word> words;
};

SceneRecord ParseSceneRecord(const Json& j) {
    SceneRecord r;
    r.n = j.value("n", 0);
    r.picture_key = j.value("picture_key", "");
    r.voice_key = j.value("voice_key", "");
    r.voice_duration = j.value("voice_duration", 0.0);
    if (j.contains("layer_keys") && j["layer_keys"].is_array()) {
        for (const auto& k : j["layer_keys"]) r.layer_keys.push_back(k.get<std::string>());
    }
    if (j.contains("words") && j["words"].is_array()) {
        for (const auto& w : j["words"]) {
            r.words.push_back({w.value("word", ""), w.value("start", 0.0), w.value("end", 0.0)});
        }
    }
    return r;
}

Json WordsJson(const std::vector<media::Word>& words) {
    Json a = Json::array();
    for (const auto& w : words) a.push_back({{"word", w.text}, {"start", w.start}, {"end", w.end}});
    return a;
}

std::string SceneRecordName(int n) { return "scene:" + std::to_string(n); }

/// Same prompt and scene → same seed, so identical requests hit the content-addressed cache;
/// RegenerateScene records a fresh seed when the user wants a different picture.
std::int64_t DefaultSeed(const std::string& prompt, int n) {
    const std::string h = Sha256Hex(prompt + "\n" + std::to_string(n));
    return static_cast<std::int64_t>(std::stoull(h.substr(0, 12), nullptr, 16));
}

/// The script with recorded scene edits applied; the seed per scene.
struct EditedScript {
    core::Script script;
    std::vector<std::int64_t> seeds;
};

Result<EditedScript> LoadScript(jobs::StageContext& ctx) {
    Json out = ctx.StageOutputs(kScriptStage);
    if (!out.is_object() || !out.contains("script")) {
        return Error::Internal("pipeline: the script stage has no recorded script");
    }
    BEACON_TRY(script, core::ParseScript(out["script"]));
    EditedScript e{script, {}};
    Json edits = ctx.StageOutputs(kSceneEditsRecord);
    for (std::size_t i = 0; i < e.script.scenes.size(); ++i) {
        int n = static_cast<int>(i) + 1;
        std::int64_t seed = DefaultSeed(ctx.job().request.prompt, n);
        const std::string k = std::to_string(n);
        if (edits.is_object() && edits.contains(k) && edits[k].is_object()) {
            const Json& ed = edits[k];
            if (ed.contains("description")) e.script.scenes[i].description = ed["description"];
            if (ed.contains("lines")) {
                e.script.scenes[i].lines = ed["lines"].get<std::vector<std::string>>();
            }
            if (ed.contains("seed")) seed = ed["seed"].get<std::int64_t>();
        }
        e.seeds.push_back(seed);
    }
    return e;
}

std::string Narration(const core::Scene& s) {
    std::string text;
    for (const auto& l : s.lines) {
        if (!text.empty()) text += ' ';
        text += l;
    }
    return text;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 15];
    }
    return out;
}

GenerationPipeline::GenerationPipeline(engines::EngineSet engines, storage::Database& db,
                                       storage::ObjectStore& store, media::MediaOptions media,
                                       std::filesystem::path scratch_dir)
    : engines_(engines),
      db_(db),
      store_(store),
      media_(std::move(media)),
      scratch_(std::move(scratch_dir)) {}

std::vector<jobs::Stage> GenerationPipeline::StagesFor(const core::Job& job) {
    std::vector<jobs::Stage> stages;
    stages.push_back({kScriptStage, core::JobState::kGeneratingScript, 0, 15,
                      [this](jobs::StageContext& c) { return RunScript(c); }});
    stages.push_back({kScenesStage, core::JobState::kRenderingPreview, 15, 45,
                      [this](jobs::StageContext& c) { return RunScenes(c); }});
    if (job.request.produce_preview) {
        stages.push_back({kPreviewStage, core::JobState::kRenderingPreview, 45, 55,
                          [this](jobs::StageContext& c) { return RunPreview(c); }});
    }
    stages.push_back({kFinalStage, core::JobState::kRenderingFinal, 55, 85,
                      [this](jobs::StageContext& c) { return RunFinal(c); }});
    stages.push_back({kComposeStage, core::JobState::kComposing, 85, 100,
                      [this](jobs::StageContext& c) { return RunCompose(c); }});
    return stages;
}

void GenerationPipeline::Release(const core::Job& job) {
    std::error_code ec;
    fs::remove_all(scratch_ / ("job-" + std::to_string(job.id)), ec);
}

// ---- script ------------------------------------------------------------------------------------

Result<Json> GenerationPipeline::RunScript(jobs::StageContext& ctx) {
    if (!engines_.script) return Error::Internal("pipeline: no script writer configured");
    const core::Job& job = ctx.job();
    const auto started = Clock::now();
    engines::ScriptRequest req{job.request.prompt, job.request.title, job.request.style,
                               job.request.language, job.request.duration_target};
    auto res = engines_.script->Write(
        req, [&ctx](const std::string& l) { ctx.Log(l); }, ctx.stop_token());
    if (!res.ok()) {
        return Named(std::move(res).error(), "script writer " + engines_.script->Describe().engine);
    }
    const Json script = core::ToJson(res->script);
    BEACON_TRY(valid, core::ParseScript(script));
    (void)valid;
    BEACON_TRY(dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id))));
    const std::string text = script.dump(2);
    BEACON_CHECK(WriteFile(dir / "script.json", text));
    const std::string key = JobPrefix(job.id) + "script.json";
    BEACON_TRY(asset, StoreAsset(db_, store_, job.id, "script", key, dir / "script.json",
                                 Sha256Hex(text), res->provenance));
    (void)asset;
    ctx.Log("script: " + std::to_string(res->script.scenes.size()) + " scenes by " +
            res->provenance.engine + " in " + std::to_string(Ms(started)) + " ms");
    return Json{{"script", script},
                {"provenance", ProvenanceJson(res->provenance)},
                {"key", key},
                {"url", Url(key)}};
}

// ---- scenes ------------------------------------------------------------------------------------

Result<Json> GenerationPipeline::RunScenes(jobs::StageContext& ctx) {
    if (!engines_.voice || !engines_.pictures) {
        return Error::Internal("pipeline: voice and picture engines must be configured");
    }
    const core::Job& job = ctx.job();
    const auto started = Clock::now();
    BEACON_TRY(edited, LoadScript(ctx));
    const auto& scenes = edited.script.scenes;
    const int count = static_cast<int>(scenes.size());
    const media::FrameSize size = media::PresetSize(job.request.output_preset);
    BEACON_TRY(job_dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id))));

    struct Slot {
        Json record;  // finished scene record, or null
        bool voice_done = false;
        bool picture_done = false;
        Json voice;    // {key, duration, words, hash}
        Json picture;  // {key, layer_keys, hash}
    };
    std::vector<Slot> slots(static_cast<std::size_t>(count));
    for (int n = 1; n <= count; ++n) {
        Json rec = ctx.StageOutputs(SceneRecordName(n));
        if (rec.is_object() && rec.contains("voice_key")) {
            slots[n - 1].record = rec;
            slots[n - 1].voice_done = slots[n - 1].picture_done = true;
            slots[n - 1].voice = {{"key", rec["voice_key"]}};
            slots[n - 1].picture = {{"key", rec["picture_key"]}};
        }
    }

    std::mutex mu;
    std::condition_variable_any cv;
    std::optional<Error> failure;
    std::stop_source local_stop;
    std::stop_callback forward(ctx.stop_token(), [&local_stop] { local_stop.request_stop(); });

    const engines::Provenance voice_prov = engines_.voice->Describe();
    const engines::Provenance picture_prov = engines_.pictures->Describe();

    auto voice_task = [&, this](int n) -> Status {
        const core::Scene& s = scenes[n - 1];
        engines::VoiceRequest req{Narration(s), job.request.voice, job.request.language};
        const std::string hash = Sha256Hex(Json{
            {"kind", "voice"},
            {"engine", voice_prov.engine},
            {"model", voice_prov.model},
            {"parameters", voice_prov.parameters},
            {"text", req.text},
            {"voice", req.voice},
            {"language", req.language}}.dump());
        if (auto hit = Cached(db_, store_, hash, job.id)) {
            std::lock_guard lock(mu);
            slots[n - 1].voice = {{"key", hit->key},
                                  {"hash", hash},
                                  {"cached", true},
                                  {"duration", hit->parameters.value("duration", 0.0)},
                                  {"words", hit->parameters.value("words", Json::array())}};
            return {};
        }
        BEACON_TRY(dir, MakeDir(job_dir / ("scene-" + std::to_string(n)) / "voice"));
        auto t0 = Clock::now();
        auto res = engines_.voice->Speak(req, dir, local_stop.get_token());
        if (!res.ok()) return Named(std::move(res).error(), "voice engine " + voice_prov.engine);
        Json words = Json::array();
        for (const auto& w : res->words)
            words.push_back({{"word", w.word}, {"start", w.start}, {"end", w.end}});
        const std::string key =
            JobPrefix(job.id) + "scenes/" + std::to_string(n) + "/voice" + Ext(res->audio, ".wav");
        BEACON_TRY(asset,
                   StoreAsset(db_, store_, job.id, "voice", key, res->audio, hash, res->provenance,
                              {{"duration", res->duration}, {"words", words}, {"scene", n}}));
        (void)asset;
        ctx.Log("scene " + std::to_string(n) + ": voice " +
                std::to_string(res->duration).substr(0, 5) + " s by " + res->provenance.engine +
                " in " + std::to_string(Ms(t0)) + " ms");
        std::lock_guard lock(mu);
        slots[n - 1].voice = {{"key", key},
                              {"hash", hash},
                              {"cached", false},
                              {"duration", res->duration},
                              {"words", words}};
        return {};
    };

    auto picture_task = [&, this](int n) -> Status {
        const core::Scene& s = scenes[n - 1];
        engines::PictureRequest req;
        req.scene = s;
        req.prompt = job.request.prompt;
        req.style = job.request.style;
        req.title = edited.script.title;
        req.width = size.width;
        req.height = size.height;
        req.seed = edited.seeds[n - 1];
        req.scene_index = n - 1;
        req.scene_count = count;
        const std::string hash = Sha256Hex(Json{
            {"kind", "picture"},
            {"engine", picture_prov.engine},
            {"model", picture_prov.model},
            {"parameters", picture_prov.parameters},
            {"scene", core::ToJson(core::Script{"", "", {s}})},
            {"prompt", req.prompt},
            {"style", req.style},
            {"title", req.title},
            {"w", req.width},
            {"h", req.height},
            {"seed", req.seed},
            {"index", req.scene_index},
            {"count", req.scene_count}}.dump());
        if (auto hit = Cached(db_, store_, hash, job.id)) {
            std::lock_guard lock(mu);
            slots[n - 1].picture = {
                {"key", hit->key},
                {"hash", hash},
                {"cached", true},
                {"layer_keys", hit->parameters.value("layer_keys", Json::array())}};
            return {};
        }
        BEACON_TRY(dir, MakeDir(job_dir / ("scene-" + std::to_string(n)) / "picture"));
        auto t0 = Clock::now();
        auto res = engines_.pictures->Paint(
            req, dir, [&ctx](const std::string& l) { ctx.Log(l); }, local_stop.get_token());
        if (!res.ok())
            return Named(std::move(res).error(), "picture engine " + picture_prov.engine);
        const std::string base = JobPrefix(job.id) + "scenes/" + std::to_string(n) + "/";
        Json layer_keys = Json::array();
        for (std::size_t i = 0; i < res->layers.size(); ++i) {
            const std::string lk =
                base + "layer_" + std::to_string(i) + Ext(res->layers[i], ".png");
            BEACON_TRY(la, StoreAsset(db_, store_, job.id, "picture_layer", lk, res->layers[i], "",
                                      res->provenance, {{"scene", n}, {"layer", i}}));
            (void)la;
            layer_keys.push_back(lk);
        }
        const std::string key = base + "picture" + Ext(res->image, ".png");
        BEACON_TRY(
            asset,
            StoreAsset(db_, store_, job.id, "picture", key, res->image, hash, res->provenance,
                       {{"layer_keys", layer_keys}, {"scene", n}, {"seed", req.seed}}));
        (void)asset;
        ctx.Log("scene " + std::to_string(n) + ": picture by " + res->provenance.engine + " in " +
                std::to_string(Ms(t0)) + " ms");
        std::lock_guard lock(mu);
        slots[n - 1].picture = {
            {"key", key}, {"hash", hash}, {"cached", false}, {"layer_keys", layer_keys}};
        return {};
    };

    // One thread per task (scenes are few); engines bound their own concurrency.
    std::vector<std::jthread> threads;
    auto launch = [&](bool is_voice, int n) {
        threads.emplace_back([&, is_voice, n] {
            Status st = is_voice ? voice_task(n) : picture_task(n);
            std::lock_guard lock(mu);
            if (!st.ok()) {
                if (!failure) failure = std::move(st).error();
                local_stop.request_stop();
            } else {
                (is_voice ? slots[n - 1].voice_done : slots[n - 1].picture_done) = true;
            }
            cv.notify_all();
        });
    };
    for (int n = 1; n <= count; ++n) {
        if (!slots[n - 1].voice_done) launch(true, n);
        if (!slots[n - 1].picture_done) launch(false, n);
    }

    bool early_started = false;
    std::atomic<bool> early_published{false};
    std::stop_source early_stop;
    std::stop_callback forward_early(ctx.stop_token(),
                                     [&early_stop] { early_stop.request_stop(); });
    std::jthread early_thread;  // joined before the stage returns
    std::unique_lock lock(mu);
    for (;;) {
        // Record each scene the moment both parts exist (a resumed job skips it).
        int done = 0, voices = 0, pictures = 0;
        for (int n = 1; n <= count; ++n) {
            Slot& s = slots[n - 1];
            voices += s.voice_done;
            pictures += s.picture_done;
            if (s.voice_done && s.picture_done) {
                ++done;
                if (s.record.is_null()) {
                    s.record = {{"n", n},
                                {"voice_key", s.voice["key"]},
                                {"voice_url", Url(s.voice["key"])},
                                {"voice_duration", s.voice.value("duration", 0.0)},
                                {"words", s.voice.value("words", Json::array())},
                                {"voice_hash", s.voice.value("hash", "")},
                                {"picture_key", s.picture["key"]},
                                {"picture_url", Url(s.picture["key"])},
                                {"layer_keys", s.picture.value("layer_keys", Json::array())},
                                {"picture_hash", s.picture.value("hash", "")},
                                {"seed", edited.seeds[n - 1]},
                                {"cached", s.voice.value("cached", false) &&
                                               s.picture.value("cached", false)}};
                    (void)db_.RecordStage(job.id, SceneRecordName(n), s.record);
                }
            }
        }
        ctx.SetProgress(15 + 30 * (voices + pictures) / std::max(1, 2 * count));
        if (failure || done == count) break;
        // Preview-first: all voices and at least one picture → a preview now, made beside
        // the painters; if every picture lands first it is abandoned (the preview stage then
        // makes the full one at once).
        if (!early_started && job.request.produce_preview && voices == count && pictures > 0 &&
            pictures < count) {
            early_started = true;
            std::vector<media::SceneMedia> sm;
            for (int n = 1; n <= count; ++n) {
                const Slot& s = slots[n - 1];
                media::SceneMedia m;
                m.duration = scenes[n - 1].duration;
                m.voice = s.voice.value("key", "");
                m.voice_duration = s.voice.value("duration", 0.0);
                if (s.picture_done) m.picture = s.picture.value("key", "");
                sm.push_back(std::move(m));
            }
            early_thread = std::jthread([&, this, sm = std::move(sm)]() mutable {
                for (auto& m : sm) {
                    if (!m.voice.empty()) {
                        auto v = Readable(store_, m.voice, job_dir);
                        m.voice = v.ok() ? *v : "";
                    }
                    if (!m.picture.empty()) {
                        auto p = Readable(store_, m.picture, job_dir);
                        m.picture = p.ok() ? *p : "";
                    }
                }
                auto t = media::PlanTimeline(sm, job.request.duration_target, media::kPreviewFps);
                const fs::path out = job_dir / "preview_early.mp4";
                media::RunOptions run = RunFor(ctx, 0, 0, 0);
                run.stop = early_stop.get_token();
                if (!t.ok() || !media::MakePreview(media_, sm, *t, out.string(), run).ok()) return;
                const std::string key = JobPrefix(job.id) + "preview.mp4";
                if (early_stop.stop_requested() || !store_.PutFile(key, out).ok()) return;
                early_published = true;
                ctx.SetUrls({{"preview_url", Url(key)}});
                ctx.Log("preview (partial pictures) ready after " + std::to_string(Ms(started)) +
                        " ms");
            });
            continue;
        }
        cv.wait(lock, ctx.stop_token(), [&] {
            if (failure) return true;
            int v = 0, p = 0;
            for (const auto& s : slots) {
                v += s.voice_done;
                p += s.picture_done;
            }
            return v != voices || p != pictures;
        });
        if (ctx.stop_token().stop_requested() && !failure) {
            failure = Error::Canceled("canceled while rendering scenes");
        }
    }
    lock.unlock();
    local_stop.request_stop();
    early_stop.request_stop();
    threads.clear();  // joins
    if (early_thread.joinable()) early_thread.join();
    if (failure) return *failure;

    Json out = {{"scenes", Json::array()}, {"early_preview", early_published.load()}};
    for (const auto& s : slots) out["scenes"].push_back(s.record);
    ctx.Log("scenes: " + std::to_string(count) + " voices and pictures in " +
            std::to_string(Ms(started)) + " ms");
    return out;
}

namespace {

/// Scene media for assembly from the recorded scene outputs.
Result<std::vector<media::SceneMedia>> SceneMediaFor(jobs::StageContext& ctx,
                                                     storage::ObjectStore& store,
                                                     const core::Script& script,
                                                     const fs::path& scratch) {
    Json scenes = ctx.StageOutputs(kScenesStage);
    if (!scenes.is_object() || !scenes.contains("scenes")) {
        return Error::Internal("pipeline: the scenes stage has no recorded scenes");
    }
    std::vector<media::SceneMedia> out;
    std::size_t i = 0;
    for (const auto& j : scenes["scenes"]) {
        if (i >= script.scenes.size()) break;
        SceneRecord r = ParseSceneRecord(j);
        const core::Scene& s = script.scenes[i++];
        media::SceneMedia m;
        m.title = s.description;
        m.camera = s.camera;
        m.duration = s.duration;
        BEACON_TRY(pic, Readable(store, r.picture_key, scratch));
        m.picture = pic;
        for (const auto& lk : r.layer_keys) {
            BEACON_TRY(layer, Readable(store, lk, scratch));
            m.layers.push_back(layer);
        }
        if (!r.voice_key.empty()) {
            BEACON_TRY(voice, Readable(store, r.voice_key, scratch));
            m.voice = voice;
        }
        m.voice_duration = r.voice_duration;
        m.words = r.words;
        out.push_back(std::move(m));
    }
    if (out.size() != script.scenes.size())
        return Error::Internal("pipeline: scene records missing");
    return out;
}

}  // namespace

// ---- preview -----------------------------------------------------------------------------------

Result<Json> GenerationPipeline::RunPreview(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    const auto started = Clock::now();
    BEACON_TRY(edited, LoadScript(ctx));
    BEACON_TRY(dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id)) / "preview"));
    BEACON_TRY(scenes, SceneMediaFor(ctx, store_, edited.script, dir));
    BEACON_TRY(t, media::PlanTimeline(scenes, job.request.duration_target, media::kPreviewFps));
    const fs::path mp4 = dir / "preview.mp4";
    const fs::path thumb = dir / "preview_thumb.jpg";
    Status st =
        media::MakePreview(media_, scenes, t, mp4.string(), RunFor(ctx, t.duration(), 45, 52));
    if (!st.ok()) return Named(std::move(st).error(), "preview (ffmpeg)");
    const std::string key = JobPrefix(job.id) + "preview.mp4";
    BEACON_TRY(a1, StoreAsset(db_, store_, job.id, "preview", key, mp4, "",
                              MediaProvenance(media_, "preview")));
    (void)a1;
    ctx.SetUrls({{"preview_url", Url(key)}});
    ctx.Log("preview playable after " + std::to_string(Ms(started)) + " ms");
    // The thumbnail comes from the stored preview.
    BEACON_TRY(stored, Readable(store_, key, dir));
    st = media::RunFfmpeg(media_,
                          media::BuildStillCommand(media_, stored, std::min(1.0, t.duration() / 2),
                                                   320, thumb.string()),
                          RunFor(ctx, 0, 0, 0));
    if (!st.ok()) return Named(std::move(st).error(), "preview thumbnail (ffmpeg)");
    const std::string thumb_key = JobPrefix(job.id) + "preview_thumb.jpg";
    BEACON_TRY(a2, StoreAsset(db_, store_, job.id, "preview_thumbnail", thumb_key, thumb, "",
                              MediaProvenance(media_, "thumbnail")));
    (void)a2;
    ctx.SetUrls({{"preview_url", Url(key)}, {"thumbnail_url", Url(thumb_key)}});
    ctx.Log("preview stage: " + std::to_string(Ms(started)) + " ms");
    return Json{{"preview_key", key},
                {"preview_url", Url(key)},
                {"thumbnail_key", thumb_key},
                {"thumbnail_url", Url(thumb_key)},
                {"duration", t.duration()}};
}

// ---- final -------------------------------------------------------------------------------------

Result<Json> GenerationPipeline::RunFinal(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    const auto started = Clock::now();
    BEACON_TRY(edited, LoadScript(ctx));
    BEACON_TRY(dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id)) / "final"));
    BEACON_TRY(scenes, SceneMediaFor(ctx, store_, edited.script, dir));
    BEACON_TRY(t, media::PlanTimeline(scenes, job.request.duration_target, media_.fps));
    const media::FrameSize size = media::PresetSize(job.request.output_preset);
    const std::vector<media::Word> words = media::TimelineWords(scenes, t);

    Json cues_json = Json::array();
    std::string burn_file;
    if (media_.burn_captions) {
        // Burned-in captions must exist before the encode: caption the narration now.
        if (!engines_.captions) return Error::Internal("pipeline: no caption engine configured");
        const fs::path narration = dir / "narration_for_captions.wav";
        Status st = media::RunFfmpeg(
            media_, media::BuildNarrationCommand(media_, scenes, t, narration.string()),
            RunFor(ctx, 0, 0, 0));
        if (!st.ok()) return Named(std::move(st).error(), "narration (ffmpeg)");
        engines::CaptionRequest req;
        req.audio = narration;
        req.language = job.request.language;
        for (const auto& w : words) req.words.push_back({w.text, w.start, w.end});
        auto cap = engines_.captions->Caption(req, ctx.stop_token());
        if (!cap.ok()) {
            return Named(std::move(cap).error(),
                         "caption engine " + engines_.captions->Describe().engine);
        }
        std::vector<media::Cue> cues;
        for (const auto& c : cap->cues) {
            cues.push_back({c.start, c.end, c.text});
            cues_json.push_back({{"start", c.start}, {"end", c.end}, {"text", c.text}});
        }
        burn_file = (dir / "burn.vtt").string();
        BEACON_CHECK(WriteFile(burn_file, media::CuesToWebVtt(cues)));
    }

    // Content address of the encode: every input and setting that changes the bytes.
    Json inputs = {{"v", 1},
                   {"size", {size.width, size.height}},
                   {"target", job.request.duration_target},
                   {"fps", media_.fps},
                   {"crf", media_.crf},
                   {"seg", media_.segment_seconds},
                   {"abr", media_.audio_bitrate_kbps},
                   {"lufs", media_.loudness_lufs},
                   {"tp", media_.true_peak_db},
                   {"burn", cues_json},
                   {"scenes", Json::array()}};
    Json scene_records = ctx.StageOutputs(kScenesStage)["scenes"];
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        const Json& r = scene_records[i];
        inputs["scenes"].push_back(
            {{"picture", r.value("picture_hash", r.value("picture_key", ""))},
             {"voice", r.value("voice_hash", r.value("voice_key", ""))},
             {"layers", r.value("layer_keys", Json::array())},
             {"camera", scenes[i].camera},
             {"duration", scenes[i].duration},
             {"title", scenes[i].title}});
    }
    const std::string hash = Sha256Hex(inputs.dump());
    const std::string key = JobPrefix(job.id) + "final.mp4";
    const std::string narration_key = JobPrefix(job.id) + "narration.wav";
    std::string encode_key = key;
    std::string narr_key = narration_key;
    bool reused = false;
    if (auto hit = Cached(db_, store_, hash, job.id)) {
        std::string nk = hit->parameters.value("narration_key", "");
        if (!nk.empty() && store_.Exists(nk)) {
            encode_key = hit->key;
            narr_key = nk;
            reused = true;
            ctx.Log("final: inputs unchanged, reusing encode " + encode_key);
        }
    }
    if (!reused) {
        const fs::path mp4 = dir / "final.mp4";
        auto fin = media::MakeFinal(media_, scenes, t, size, dir.string(), burn_file, mp4.string(),
                                    RunFor(ctx, t.duration(), 56, 84));
        if (!fin.ok()) return Named(std::move(fin).error(), "final encode (ffmpeg)");
        BEACON_TRY(na, StoreAsset(db_, store_, job.id, "narration", narration_key,
                                  fin->narration_wav, "", MediaProvenance(media_, "narration")));
        (void)na;
        BEACON_TRY(fa, StoreAsset(db_, store_, job.id, "encode", key, mp4, hash,
                                  MediaProvenance(media_, "final"),
                                  {{"narration_key", narration_key},
                                   {"measured_lufs", fin->measured.integrated_lufs}}));
        (void)fa;
    }
    ctx.Log("final stage: " + std::to_string(Ms(started)) + " ms" + (reused ? " (reused)" : ""));
    return Json{
        {"encode_key", encode_key}, {"narration_key", narr_key}, {"hash", hash},
        {"reused", reused},         {"duration", t.duration()},  {"words", WordsJson(words)},
        {"cues", cues_json}};
}

// ---- compose -----------------------------------------------------------------------------------

Result<Json> GenerationPipeline::RunCompose(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    const auto started = Clock::now();
    BEACON_TRY(edited, LoadScript(ctx));
    const Json fin = ctx.StageOutputs(kFinalStage);
    if (!fin.is_object() || !fin.contains("encode_key")) {
        return Error::Internal("pipeline: the final stage has no recorded encode");
    }
    const fs::path dir = scratch_ / ("job-" + std::to_string(job.id)) / "compose";
    std::error_code ec;
    fs::remove_all(dir, ec);
    BEACON_TRY(made, MakeDir(dir));
    (void)made;
    const std::string lang = job.request.language.empty() ? "en" : job.request.language;
    const double duration = fin.value("duration", 0.0);

    // The library row first (its id names the folder). It is created pending and recorded on
    // the job in one transaction, so a compose killed half-way leaves no visible item and the
    // resumed compose reuses its own row; re-assembly of a finished item reuses that item.
    core::Content draft;
    draft.owner_id = job.user_id;
    draft.job_id = job.id;
    draft.title = job.request.title.empty() ? edited.script.title : job.request.title;
    draft.description = edited.script.description;
    draft.prompt = job.request.prompt;
    draft.visibility = "private";
    BEACON_TRY(content, db_.BeginJobContent(job.id, draft));
    const bool existing = !content.pending;  // a published item being re-assembled
    const std::int64_t cid = content.id;
    const std::string lib = LibraryPrefix(cid);
    // Files an interrupted compose of this pending row left behind are not reused.
    if (!existing) (void)store_.Delete(lib);

    auto work = [&]() -> Result<Json> {
        std::vector<media::Cue> cues;
        if (fin.contains("cues") && fin["cues"].is_array() && !fin["cues"].empty()) {
            for (const auto& c : fin["cues"])
                cues.push_back({c.value("start", 0.0), c.value("end", 0.0), c.value("text", "")});
        } else {
            if (!engines_.captions)
                return Error::Internal("pipeline: no caption engine configured");
            BEACON_TRY(narration, Readable(store_, fin["narration_key"], dir));
            engines::CaptionRequest req;
            req.audio = narration;
            req.language = lang;
            for (const auto& w : fin["words"])
                req.words.push_back(
                    {w.value("word", ""), w.value("start", 0.0), w.value("end", 0.0)});
            auto t0 = Clock::now();
            auto cap = engines_.captions->Caption(req, ctx.stop_token());
            if (!cap.ok()) {
                return Named(std::move(cap).error(),
                             "caption engine " + engines_.captions->Describe().engine);
            }
            for (const auto& c : cap->cues) cues.push_back({c.start, c.end, c.text});
            ctx.Log("captions: " + std::to_string(cues.size()) + " cues by " +
                    cap->provenance.engine + " in " + std::to_string(Ms(t0)) + " ms");
        }
        if (ctx.stop_token().stop_requested()) return Error::Canceled("canceled while composing");
        ctx.SetProgress(87);

        // Chapters: one per scene, on the timeline.
        std::vector<media::SceneMedia> sm;
        for (const auto& s : edited.script.scenes) {
            media::SceneMedia m;
            m.title = s.description;
            m.duration = s.duration;
            sm.push_back(m);
        }
        BEACON_TRY(t, media::PlanTimeline(sm, job.request.duration_target, media_.fps));
        const auto chapters = media::TimelineChapters(sm, t);
        const fs::path captions_vtt = dir / ("captions_" + lang + ".vtt");
        const fs::path chapters_vtt = dir / "chapters.vtt";
        const fs::path ffmeta = dir / "chapters.ffmeta";
        BEACON_CHECK(WriteFile(captions_vtt, media::CuesToWebVtt(cues)));
        BEACON_CHECK(WriteFile(chapters_vtt, media::ChaptersToWebVtt(chapters)));
        BEACON_CHECK(WriteFile(ffmeta, media::ChaptersToFfmetadata(content.title, chapters)));

        BEACON_TRY(encoded, Readable(store_, fin["encode_key"], dir));
        const fs::path video = dir / "video.mp4";
        Status st =
            media::RunFfmpeg(media_,
                             media::BuildMp4PackageCommand(media_, encoded, captions_vtt.string(),
                                                           lang, ffmeta.string(), video.string()),
                             RunFor(ctx, 0, 0, 0));
        if (!st.ok()) return Named(std::move(st).error(), "mp4 packaging (ffmpeg)");
        const fs::path poster = dir / "poster.jpg";
        const fs::path thumb = dir / "thumb.jpg";
        const double at = std::min(duration / 2, t.frames.empty() ? 0.0 : t.end(0) / 2);
        st = media::RunFfmpeg(
            media_, media::BuildStillCommand(media_, video.string(), at, 0, poster.string()),
            RunFor(ctx, 0, 0, 0));
        if (!st.ok()) return Named(std::move(st).error(), "poster (ffmpeg)");
        st = media::RunFfmpeg(
            media_, media::BuildStillCommand(media_, video.string(), at, 320, thumb.string()),
            RunFor(ctx, 0, 0, 0));
        if (!st.ok()) return Named(std::move(st).error(), "thumbnail (ffmpeg)");
        ctx.SetProgress(90);
        auto hls = media::PackageHls(media_, video.string(), {{lang, "", cues, true}},
                                     (dir / "hls").string(), RunFor(ctx, 0, 0, 0));
        if (!hls.ok()) return Named(std::move(hls).error(), "HLS packaging (ffmpeg)");
        ctx.SetProgress(94);

        Json entities = Json::array();
        std::string transcript;
        for (const auto& s : edited.script.scenes) {
            std::string n = Narration(s);
            if (n.empty()) continue;
            if (!transcript.empty()) transcript += "\n";
            transcript += n;
        }
        if (engines_.entities) {
            auto ent = engines_.entities->Extract(transcript + "\n" + job.request.prompt,
                                                  ctx.stop_token());
            if (!ent.ok()) {
                return Named(std::move(ent).error(),
                             "entity extractor " + engines_.entities->Describe().engine);
            }
            for (const auto& e : *ent) entities.push_back(e);
        }
        if (ctx.stop_token().stop_requested()) return Error::Canceled("canceled while composing");

        // Publish: every file was finished in scratch; each PutFile is atomic.
        if (existing) (void)store_.Delete(lib + "hls/");
        const auto media_prov = MediaProvenance(media_, "compose");
        struct Put {
            fs::path file;
            std::string key;
            std::string kind;
        };
        std::vector<Put> puts = {{captions_vtt, lib + "captions_" + lang + ".vtt", "captions"},
                                 {chapters_vtt, lib + "chapters.vtt", "chapters"},
                                 {poster, lib + "poster.jpg", "poster"},
                                 {thumb, lib + "thumb.jpg", "thumbnail"}};
        for (const auto& f : hls->files) {
            puts.push_back({dir / "hls" / f, lib + "hls/" + f, f == "master.m3u8" ? "hls" : ""});
        }
        puts.push_back({video, lib + "video.mp4", "mp4"});  // last: the item is whole once it lands
        for (const auto& p : puts) {
            if (ctx.stop_token().stop_requested())
                return Error::Canceled("canceled while composing");
            if (p.kind.empty()) {
                BEACON_CHECK(store_.PutFile(p.key, p.file));
            } else {
                BEACON_TRY(a,
                           StoreAsset(db_, store_, job.id, p.kind, p.key, p.file, "", media_prov));
                (void)a;
            }
        }

        content.mp4_url = Url(lib + "video.mp4");
        content.hls_url = Url(lib + "hls/master.m3u8");
        content.thumbnail = Url(lib + "thumb.jpg");
        content.poster = Url(lib + "poster.jpg");
        content.vtt_url = Url(lib + "captions_" + lang + ".vtt");
        content.chapters_url = Url(lib + "chapters.vtt");
        Json preview = ctx.StageOutputs(kPreviewStage);
        content.preview_url = preview.is_object() ? preview.value("preview_url", "") : "";
        content.duration = duration;
        content.languages = {lang};
        content.transcript = transcript;
        content.script = core::ToJson(edited.script);
        content.entities = entities;
        BEACON_CHECK(db_.CompleteJobContent(job.id, content));
        ctx.SetUrls({{"final_url", content.mp4_url},
                     {"vtt_url", content.vtt_url},
                     {"thumbnail_url", content.thumbnail}});
        return Json{{"content_id", cid}};
    };

    auto result = work();
    if (!result.ok()) {
        if (!existing) {
            // Nothing half-made stays in the library.
            (void)store_.Delete(lib);
            (void)db_.DeleteContent(cid);
        }
        return result;
    }
    fs::remove_all(scratch_ / ("job-" + std::to_string(job.id)), ec);
    ctx.Log("compose stage: " + std::to_string(Ms(started)) + " ms");
    return result;
}

// ---- scene regeneration ------------------------------------------------------------------------

Result<core::Job> RegenerateScene(storage::Database& db, std::int64_t job_id, int scene_n,
                                  const Json& edits) {
    if (!edits.is_object()) return Error::Invalid("edits must be a JSON object");
    for (auto it = edits.begin(); it != edits.end(); ++it) {
        if (it.key() != "description" && it.key() != "lines" && it.key() != "seed") {
            return Error::Invalid("unknown field '" + it.key() +
                                  "' (allowed: description, lines, seed)");
        }
    }
    Json edit = Json::object();
    if (edits.contains("description")) {
        const Json& d = edits["description"];
        if (!d.is_string() || d.get<std::string>().empty() || d.get<std::string>().size() > 2000) {
            return Error::Invalid(
                "description must be a non-empty string of at most 2000 characters");
        }
        edit["description"] = d;
    }
    if (edits.contains("lines")) {
        const Json& l = edits["lines"];
        if (!l.is_array() || l.empty() || l.size() > 20) {
            return Error::Invalid("lines must be an array of 1..20 strings");
        }
        for (const auto& s : l) {
            if (!s.is_string() || s.get<std::string>().empty() ||
                s.get<std::string>().size() > 1000) {
                return Error::Invalid(
                    "each line must be a non-empty string of at most 1000 characters");
            }
        }
        edit["lines"] = l;
    }
    if (edits.contains("seed")) {
        if (!edits["seed"].is_number_integer()) return Error::Invalid("seed must be an integer");
        edit["seed"] = edits["seed"];
    } else {
        std::random_device rd;
        edit["seed"] = static_cast<std::int64_t>((static_cast<std::uint64_t>(rd()) << 20) ^ rd()) &
                       0x7fffffffffff;
    }
    BEACON_TRY(job, db.GetJob(job_id));
    if (job.status != core::JobState::kCompleted && job.status != core::JobState::kFailed &&
        job.status != core::JobState::kCanceled) {
        return Error::Conflict("job " + std::to_string(job_id) + " is " +
                               std::string(core::ToString(job.status)) +
                               "; a scene can be regenerated once it has stopped");
    }
    if (!job.stages.contains(kScriptStage) || !job.stages[kScriptStage].contains("script")) {
        return Error::Conflict("job " + std::to_string(job_id) + " has no script yet");
    }
    const Json& scenes = job.stages[kScriptStage]["script"]["scenes"];
    if (scene_n < 1 || !scenes.is_array() || scene_n > static_cast<int>(scenes.size())) {
        return Error::Invalid("scene must be 1.." +
                              std::to_string(scenes.is_array() ? scenes.size() : 0));
    }
    Json all = job.stages.contains(kSceneEditsRecord) && job.stages[kSceneEditsRecord].is_object()
                   ? job.stages[kSceneEditsRecord]
                   : Json::object();
    Json merged = all.value(std::to_string(scene_n), Json::object());
    for (auto it = edit.begin(); it != edit.end(); ++it) merged[it.key()] = it.value();
    all[std::to_string(scene_n)] = merged;
    BEACON_CHECK(db.RecordStage(job_id, kSceneEditsRecord, all));
    BEACON_CHECK(db.ForgetStages(job_id, {SceneRecordName(scene_n), kScenesStage, kPreviewStage,
                                          kFinalStage, kComposeStage}));
    if (job.status == core::JobState::kCompleted) return db.ReopenJob(job_id);
    return db.RetryJob(job_id);
}

}  // namespace beacon::pipeline
