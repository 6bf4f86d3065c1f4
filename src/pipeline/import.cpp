#include "pipeline/import.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include "core/object_keys.hpp"
#include "engines/captions.hpp"
#include "media/assembly.hpp"
#include "media/command.hpp"
#include "media/hls.hpp"
#include "media/probe.hpp"
#include "media/runner.hpp"

namespace beacon::pipeline {
namespace {

using core::Error;
using core::Json;
using core::Result;
using core::Status;
namespace fs = std::filesystem;

constexpr const char* kProbeStage = "probe";
constexpr const char* kTranscodeStage = "transcode";
constexpr const char* kComposeStage = "compose";

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string Secs(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

Result<fs::path> MakeDir(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec) return Error::Unavailable("cannot create " + p.string() + ": " + ec.message());
    return p;
}

Status WriteFile(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return Error::Unavailable("cannot write " + p.string());
    return {};
}

Error Named(Error e, const std::string& what) {
    if (e.code != core::ErrorCode::kCanceled) e.message = what + ": " + e.message;
    return e;
}

media::RunOptions RunFor(jobs::StageContext& ctx, const media::MediaOptions& m, double duration,
                         int from, int to) {
    media::RunOptions run;
    run.stop = ctx.stop_token();
    run.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(m.timeout);
    run.on_command = [&ctx](const std::string& line) { ctx.Log(line, core::LogLevel::kCmd); };
    if (duration > 0 && to > from) {
        run.on_progress = [&ctx, duration, from, to](double s) {
            ctx.SetProgress(from + static_cast<int>(std::clamp(s / duration, 0.0, 1.0) * (to - from)));
        };
    }
    return run;
}

/// A header parameter of a MIME header value (`name="x"` or `name=x`).
std::string HeaderParam(std::string_view header, std::string_view name) {
    const std::string lower = Lower(std::string(header));
    const std::string key = std::string(name) + "=";
    std::size_t pos = 0;
    while ((pos = lower.find(key, pos)) != std::string::npos) {
        if (pos == 0 || lower[pos - 1] == ';' || lower[pos - 1] == ' ') break;
        pos += key.size();
    }
    if (pos == std::string::npos) return "";
    std::size_t v = pos + key.size();
    if (v < header.size() && header[v] == '"') {
        auto end = header.find('"', v + 1);
        return std::string(header.substr(v + 1, end == std::string_view::npos ? end : end - v - 1));
    }
    auto end = header.find(';', v);
    std::string out(header.substr(v, end == std::string_view::npos ? header.size() - v : end - v));
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

Result<UploadedFile> ParseMultipartUpload(std::string_view content_type, std::string_view body) {
    if (Lower(std::string(content_type)).find("multipart/form-data") == std::string::npos) {
        return Error::Invalid("expected multipart/form-data with a 'file' part");
    }
    const std::string boundary = HeaderParam(content_type, "boundary");
    if (boundary.empty()) return Error::Invalid("multipart body without a boundary");
    const std::string delim = "--" + boundary;
    UploadedFile out;
    bool have_file = false;
    std::size_t pos = body.find(delim);
    while (pos != std::string_view::npos) {
        pos += delim.size();
        if (body.substr(pos, 2) == "--") break;  // closing delimiter
        if (body.substr(pos, 2) == "\r\n") pos += 2;
        const std::size_t head_end = body.find("\r\n\r\n", pos);
        if (head_end == std::string_view::npos) return Error::Invalid("malformed multipart part");
        const std::string_view headers = body.substr(pos, head_end - pos);
        const std::size_t data = head_end + 4;
        const std::size_t next = body.find("\r\n" + delim, data);
        if (next == std::string_view::npos) return Error::Invalid("multipart body is truncated");
        std::string disposition;
        for (std::size_t a = 0; a < headers.size();) {
            std::size_t e = headers.find("\r\n", a);
            if (e == std::string_view::npos) e = headers.size();
            std::string_view line = headers.substr(a, e - a);
            if (Lower(std::string(line.substr(0, 20))).starts_with("content-disposition:"))
                disposition = std::string(line.substr(20));
            a = e + 2;
        }
        const std::string name = HeaderParam(disposition, "name");
        if (name == "file") {
            out.filename = HeaderParam(disposition, "filename");
            out.content = std::string(body.substr(data, next - data));
            have_file = true;
        } else if (name == "title") {
            out.title = std::string(body.substr(data, next - data));
        }
        pos = body.find(delim, next + 2);
    }
    if (!have_file) return Error::Invalid("the upload has no 'file' part");
    if (out.content.empty()) return Error::Invalid("the uploaded file is empty");
    if (out.title.size() > core::kMaxTitleChars) return Error::Invalid("title is too long");
    return out;
}

Result<MediaKind> ProbeUpload(const media::MediaOptions& m, const fs::path& file) {
    media::RunOptions run;
    run.timeout = std::chrono::seconds(60);
    auto info = media::Probe(m, file.string(), run);
    if (!info.ok()) {
        // ffprobe's own words without this machine's path of the upload.
        std::string why = info.error().message;
        for (auto p = why.find(file.string()); p != std::string::npos; p = why.find(file.string()))
            why.replace(p, file.string().size(), "the upload");
        return Error::Invalid("not an audio or video file (ffprobe cannot read it: " +
                              why.substr(0, 200) + ")");
    }
    MediaKind k;
    k.video = info->First("video") != nullptr;
    k.audio = info->First("audio") != nullptr;
    k.duration = info->duration;
    if (k.video && k.duration <= 0) k.duration = info->First("video")->duration;
    if (!k.video && !k.audio) return Error::Invalid("not an audio or video file (no audio or video stream)");
    if (!(k.duration > 0)) return Error::Invalid("the file has no duration (truncated?)");
    return k;
}

ImportJob::ImportJob(engines::CaptionEngine* asr, storage::WorkStores stores,
                     storage::ObjectStore& store, media::MediaOptions media,
                     std::filesystem::path scratch_dir)
    : asr_(asr), stores_(stores), store_(store), media_(std::move(media)), scratch_(std::move(scratch_dir)) {}

Result<core::Job> ImportJob::Enqueue(std::int64_t user_id, const fs::path& local_copy,
                                     const std::string& filename, const std::string& title,
                                     const std::string& language) {
    std::string ext = Lower(fs::path(filename).extension().string());
    if (ext.size() > 6 || ext.find_first_not_of(".abcdefghijklmnopqrstuvwxyz0123456789") !=
                              std::string::npos) {
        ext = ".bin";
    }
    std::random_device rd;
    char token[40];
    std::snprintf(token, sizeof token, "%lld-%08x", static_cast<long long>(core::NowMillis()), rd());
    const std::string key = std::string("uploads/") + token + "/source" + ext;
    BEACON_CHECK(store_.PutFile(key, local_copy));
    core::GenerateRequest shown;
    std::string stem = fs::path(filename).stem().string();
    if (stem.empty()) stem = "upload";
    shown.title = (title.empty() ? stem : title).substr(0, core::kMaxTitleChars);
    shown.prompt = ("Import " + (filename.empty() ? std::string("upload") : filename)).substr(0, 400);
    shown.language = language.empty() ? "en" : language;
    shown.produce_preview = false;
    Json params = {{"source_key", key}, {"filename", filename}, {"language", shown.language}};
    auto job = stores_.jobs.CreateJobOfKind(user_id, kImportKind, params, shown);
    if (!job.ok()) (void)store_.Delete("uploads/" + std::string(token) + "/");
    return job;
}

std::vector<jobs::Stage> ImportJob::StagesFor(const core::Job&) {
    return {
        {kProbeStage, core::JobState::kGeneratingScript, 0, 5,
         [this](jobs::StageContext& c) { return RunProbe(c); }},
        {kTranscodeStage, core::JobState::kRenderingFinal, 5, 75,
         [this](jobs::StageContext& c) { return RunTranscode(c); }},
        {kComposeStage, core::JobState::kComposing, 75, 100,
         [this](jobs::StageContext& c) { return RunCompose(c); }},
    };
}

void ImportJob::Release(const core::Job& job) {
    std::error_code ec;
    fs::remove_all(scratch_ / ("import-" + std::to_string(job.id)), ec);
}

Result<Json> ImportJob::RunProbe(jobs::StageContext& ctx) {
    const std::string key = ctx.job().params.value("source_key", "");
    const fs::path src = store_.LocalPath(key);
    if (src.empty() || !fs::exists(src)) return Error::Internal("the upload " + key + " is gone");
    BEACON_TRY(kind, ProbeUpload(media_, src));
    ctx.Log("probe: " + std::string(kind.video ? "video" : "") + (kind.video && kind.audio ? " + " : "") +
            (kind.audio ? "audio" : "") + ", " + Secs(kind.duration) + " s");
    return Json{{"video", kind.video}, {"audio", kind.audio}, {"duration", kind.duration}};
}

Result<Json> ImportJob::RunTranscode(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    const Json probe = ctx.StageOutputs(kProbeStage);
    const bool video = probe.value("video", false);
    const bool audio = probe.value("audio", false);
    const double duration = probe.value("duration", 0.0);
    const fs::path src = store_.LocalPath(job.params.value("source_key", ""));
    BEACON_TRY(dir, MakeDir(scratch_ / ("import-" + std::to_string(job.id))));
    const fs::path out = dir / "house.mp4";
    const int gop = media_.fps * media_.segment_seconds;
    media::FfmpegCommand cmd(media_.ffmpeg);
    cmd.AddInput(src.string(), {"-fflags", "+genpts"});
    int vin = 0, ain = 0;
    if (!video) {
        vin = cmd.AddInput("color=c=0x102a2e:s=1280x720:r=" + std::to_string(media_.fps),
                           {"-f", "lavfi"});
    }
    if (!audio) ain = cmd.AddInput("anullsrc=r=48000:cl=stereo", {"-f", "lavfi"});
    cmd.Map(std::to_string(vin) + ":v:0").Map(std::to_string(ain) + ":a:0");
    // At most 1280 px wide, even sides, the house frame rate, a keyframe on every segment edge.
    cmd.Option("-vf", "scale=w='min(1280,iw)':h=-2,setsar=1,fps=" + std::to_string(media_.fps) +
                          ",format=yuv420p");
    cmd.Option("-c:v", "libx264")
        .Option("-preset", "veryfast")
        .Option("-crf", std::to_string(media_.crf))
        .Option("-profile:v", "high")
        .Option("-g", std::to_string(gop))
        .Option("-keyint_min", std::to_string(gop))
        .Option("-sc_threshold", "0")
        .Option("-force_key_frames",
                "expr:gte(t,n_forced*" + std::to_string(media_.segment_seconds) + ")");
    cmd.Option("-af", "aresample=async=1:first_pts=0")
        .Option("-c:a", "aac")
        .Option("-b:a", std::to_string(media_.audio_bitrate_kbps) + "k")
        .Option("-ar", "48000")
        .Option("-ac", "2");
    cmd.Option("-t", Secs(duration)).Option("-avoid_negative_ts", "make_zero");
    cmd.Option("-movflags", "+faststart").Output(out.string());
    auto run = media::Run(media_, cmd.Argv(), RunFor(ctx, media_, duration, 5, 75));
    if (!run.ok()) return Named(std::move(run).error(), "transcode (ffmpeg)");
    auto info = media::Probe(media_, out.string(), {});
    if (!info.ok() || !info->First("video") || !info->First("audio"))
        return Error::External("transcode (ffmpeg): the house MP4 is incomplete");
    const std::string key = "jobs/" + std::to_string(job.id) + "/house.mp4";
    BEACON_CHECK(store_.PutFile(key, out));
    ctx.Log("transcode: " + Secs(info->duration) + " s in the house format");
    return Json{{"house_key", key}, {"duration", info->duration}};
}

Result<Json> ImportJob::RunCompose(jobs::StageContext& ctx) {
    const core::Job& job = ctx.job();
    const Json tr = ctx.StageOutputs(kTranscodeStage);
    const std::string lang = job.params.value("language", "en");
    const double duration = tr.value("duration", 0.0);
    const fs::path house = store_.LocalPath(tr.value("house_key", ""));
    if (house.empty() || !fs::exists(house)) return Error::Internal("the transcoded file is gone");
    const fs::path dir = scratch_ / ("import-" + std::to_string(job.id)) / "compose";
    std::error_code ec;
    fs::remove_all(dir, ec);
    BEACON_TRY(made, MakeDir(dir));
    (void)made;

    std::vector<media::Cue> cues;
    std::string transcript;
    std::string asr_engine;
    if (asr_) {
        const fs::path wav = dir / "speech.wav";
        media::FfmpegCommand a(media_.ffmpeg);
        a.AddInput(house.string());
        a.Map("0:a:0").Option("-ac", "1").Option("-ar", "16000").Output(wav.string());
        auto ex = media::Run(media_, a.Argv(), RunFor(ctx, media_, 0, 0, 0));
        if (!ex.ok()) return Named(std::move(ex).error(), "speech extraction (ffmpeg)");
        engines::CaptionRequest req;
        req.audio = wav;
        req.language = lang;
        auto cap = asr_->Caption(req, ctx.stop_token());
        if (!cap.ok()) return Named(std::move(cap).error(), "caption engine " + asr_->Describe().engine);
        for (const auto& c : cap->cues) {
            cues.push_back({c.start, c.end, c.text});
            transcript += (transcript.empty() ? "" : "\n") + c.text;
        }
        asr_engine = cap->provenance.engine;
        ctx.Log("captions: " + std::to_string(cues.size()) + " cues by " + asr_engine);
    } else {
        ctx.Log("captions: none (no speech recognition configured; set [engines] captions = "
                "\"whisper\")",
                core::LogLevel::kWarn);
    }
    ctx.SetProgress(82);

    core::Content draft;
    draft.owner_id = job.user_id;
    draft.job_id = job.id;
    draft.title = job.request.title;
    draft.description = "Imported from " + job.params.value("filename", std::string("an upload"));
    draft.prompt = "";
    draft.visibility = core::Visibility::kPrivate;
    BEACON_TRY(content, stores_.library.BeginJobContent(job.id, draft));
    const std::int64_t cid = content.id;
    const std::string lib = "library/" + std::to_string(cid) + "/";
    auto work = [&]() -> Result<Json> {
        auto run = RunFor(ctx, media_, 0, 0, 0);
        auto hls = media::PackageHls(media_, house.string(), {{lang, "", cues, true}},
                                     (dir / "hls").string(), run);
        if (!hls.ok()) return Named(std::move(hls).error(), "HLS packaging (ffmpeg)");
        const fs::path poster = dir / "poster.jpg";
        const fs::path thumb = dir / "thumb.jpg";
        const double at = std::min(1.0, duration / 2);
        Status st = media::RunFfmpeg(media_, media::BuildStillCommand(media_, house.string(), at, 0, poster.string()), run);
        if (!st.ok()) return Named(std::move(st).error(), "poster (ffmpeg)");
        st = media::RunFfmpeg(media_, media::BuildStillCommand(media_, house.string(), at, 320, thumb.string()), run);
        if (!st.ok()) return Named(std::move(st).error(), "thumbnail (ffmpeg)");
        ctx.SetProgress(92);
        const fs::path vtt = dir / ("captions_" + lang + ".vtt");
        if (!cues.empty()) BEACON_CHECK(WriteFile(vtt, media::CuesToWebVtt(cues)));
        for (const auto& f : hls->files) BEACON_CHECK(store_.PutFile(lib + "hls/" + f, dir / "hls" / f));
        BEACON_CHECK(store_.PutFile(lib + "poster.jpg", poster));
        BEACON_CHECK(store_.PutFile(lib + "thumb.jpg", thumb));
        if (!cues.empty()) BEACON_CHECK(store_.PutFile(lib + "captions_" + lang + ".vtt", vtt));
        // The MP4 last: the item is whole once it lands. A copy: the job's own file stays for
        // a resumed compose.
        const fs::path mp4 = dir / "video.mp4";
        fs::copy_file(house, mp4, fs::copy_options::overwrite_existing, ec);
        if (ec) return Error::Unavailable("cannot copy the MP4: " + ec.message());
        BEACON_CHECK(store_.PutFile(lib + "video.mp4", mp4));
        core::Asset a;
        a.job_id = job.id;
        a.kind = core::AssetKind::kMp4;
        a.key = lib + "video.mp4";
        a.hash = tr.value("house_key", "");
        a.mime = "video/mp4";
        a.engine = "import";
        a.model = "ffmpeg";
        a.parameters = {{"source", job.params.value("filename", "")}, {"captions", asr_engine}};
        (void)stores_.assets.AddAsset(a);
        content.mp4_key = lib + "video.mp4";
        content.hls_key = lib + "hls/master.m3u8";
        content.thumbnail_key = lib + "thumb.jpg";
        content.poster_key = lib + "poster.jpg";
        content.vtt_key = cues.empty() ? "" : lib + "captions_" + lang + ".vtt";
        content.duration = duration;
        content.languages = {lang};
        content.transcript = transcript;
        BEACON_CHECK(stores_.library.CompleteJobContent(job.id, content));
        ctx.SetUrls({{"final_url", core::object_keys::MediaUrl(content.mp4_key)},
                     {"thumbnail_url", core::object_keys::MediaUrl(content.thumbnail_key)}});
        return Json{{"content_id", cid}, {"captions", !cues.empty()}};
    };
    auto result = work();
    if (!result.ok()) {
        (void)store_.Delete(lib);
        (void)stores_.library.DeleteContent(cid);
        return result;
    }
    (void)store_.Delete("jobs/" + std::to_string(job.id) + "/house.mp4");
    const std::string src = job.params.value("source_key", "");
    if (auto slash = src.rfind('/'); slash != std::string::npos) (void)store_.Delete(src.substr(0, slash + 1));
    fs::remove_all(scratch_ / ("import-" + std::to_string(job.id)), ec);
    return result;
}

}  // namespace beacon::pipeline
