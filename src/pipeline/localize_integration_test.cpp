// A generated English item gains Spanish with the built-in engines (planner, Flite, storyboard,
// exact captions; Apertium, eSpeak NG), real ffmpeg, SQLite and the filesystem store: the MP4
// carries both language-tagged audio and subtitle streams, the master playlist lists both
// renditions, every dubbed line starts within ±100 ms of its source cue (captions and audio),
// LiveLoop serves the dub for an item already on air; the failure paths leave the item as it was.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "engines/apertium.hpp"
#include "engines/captions.hpp"
#include "engines/espeak_voice.hpp"
#include "engines/flite_voice.hpp"
#include "engines/ollama.hpp"
#include "engines/planner.hpp"
#include "engines/storyboard.hpp"
#include "jobs/event_bus.hpp"
#include "liveloop/service.hpp"
#include "media/hls.hpp"
#include "media/runner.hpp"
#include "pipeline/localize.hpp"
#include "pipeline/localize_fit.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "storage/database.hpp"
#include "../../tests/doubles/double_process.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string Run(const std::vector<std::string>& argv) {
    media::RunOptions run;
    run.timeout = std::chrono::seconds(120);
    auto out = media::RunProcess(argv, run);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->stdout_text + out->stderr_tail : "";
}

/// (codec_type, language) of every stream of a file.
std::vector<std::pair<std::string, std::string>> Streams(const fs::path& file) {
    auto j = core::Json::parse(Run({"ffprobe", "-v", "error", "-show_entries",
                                    "stream=codec_type:stream_tags=language", "-of", "json",
                                    file.string()}),
                               nullptr, false);
    std::vector<std::pair<std::string, std::string>> out;
    if (j.is_discarded()) return out;
    for (const auto& s : j["streams"]) {
        out.emplace_back(s.value("codec_type", ""),
                         s.contains("tags") ? s["tags"].value("language", "") : "");
    }
    return out;
}

/// Times where sound starts after at least 60 ms of silence (and 0 when it starts at once).
std::vector<double> SpeechOnsets(const fs::path& file, int audio_index) {
    const std::string log =
        Run({"ffmpeg", "-nostdin", "-v", "info", "-i", file.string(), "-map",
             "0:a:" + std::to_string(audio_index), "-af", "silencedetect=n=-45dB:d=0.06", "-f",
             "null", "-"});
    std::vector<double> out;
    std::regex start_re("silence_start: ([0-9.]+)"), end_re("silence_end: ([0-9.]+)");
    std::smatch m;
    auto first = std::regex_search(log, m, start_re);
    if (!first || std::stod(m[1]) > 0.01) out.push_back(0);
    for (auto it = std::sregex_iterator(log.begin(), log.end(), end_re);
         it != std::sregex_iterator(); ++it) {
        out.push_back(std::stod((*it)[1]));
    }
    return out;
}

class LocalizeIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("beacon-localize-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_);
        auto db = storage::OpenSqlite((root_ / "beacon.db").string());
        ASSERT_TRUE(db.ok()) << db.error().message;
        db_ = std::move(db).value();
        auto store = storage::OpenFilesystemStore(root_ / "store");
        ASSERT_TRUE(store.ok());
        store_ = std::move(store).value();
        engines::EngineSet set;
        set.script = &planner_;
        set.voice = &flite_;
        set.pictures = &painter_;
        set.captions = &captions_;
        GenerationPipeline generate(set, *db_, *store_, media_, root_ / "scratch");
        user_ = db_->GetOrCreateUser("lang")->id;
        core::GenerateRequest req;
        req.prompt =
            "A short sci-fi animation about a lighthouse that controls storms. Emerald palette, "
            "3 scenes.";
        req.duration_target = 14.0;
        req.output_preset = "480p";
        auto job = db_->CreateJob(user_, req);
        ASSERT_TRUE(job.ok());
        auto r = testing::Drive(generate, *db_, job->id);
        ASSERT_TRUE(r.status.ok()) << r.status.error().message;
        cid_ = r.last_outputs["content_id"];
        LocalizeOptions o;
        o.voice = &espeak_;
        o.targets = [this](const std::string& from) {
            return ApertiumTargets(apertium_.Pairs(), from);
        };
        localize_ = std::make_unique<LocalizeJob>(apertium_, o, *db_, *db_, *store_, bus_, media_,
                                                  root_ / "scratch");
    }
    void TearDown() override { fs::remove_all(root_); }

    fs::path Lib(const std::string& name) const {
        return store_->LocalPath("library/" + std::to_string(cid_) + "/" + name);
    }

    fs::path root_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::ObjectStore> store_;
    engines::BuiltinPlanner planner_;
    engines::FliteVoiceEngine flite_;
    engines::StoryboardPainter painter_;
    engines::ExactCaptionEngine captions_;
    engines::ApertiumTranslator apertium_;
    engines::EspeakVoiceEngine espeak_;
    media::MediaOptions media_;
    jobs::EventBus bus_;
    std::unique_ptr<LocalizeJob> localize_;
    std::int64_t user_ = 0;
    std::int64_t cid_ = 0;
};

TEST_F(LocalizeIntegration, EnglishItemGainsASpanishDubAndCaptionsThenLosesThem) {
    // The item is on air before it gains the language.
    liveloop::LiveLoopOptions lo;
    lo.window_segments = 5;
    liveloop::LiveLoopService live(*db_, *db_, *store_, lo);
    const auto sub = bus_.Subscribe([&live](const jobs::Event& e) {
        if (e.type == "content.updated") live.OnContentChanged(e.data.value("id", std::int64_t{0}));
    });
    core::Playlist p;
    p.slug = "main";
    p.title = "Main";
    p.items = {cid_};
    auto row = db_->CreatePlaylist(p);
    ASSERT_TRUE(row.ok()) << row.error().message;
    p.id = row->id;
    ASSERT_TRUE(db_->UpdatePlaylist(p).ok());
    ASSERT_EQ(live.Handle("main/tv.m3u8", "", true, "").status, 200u);
    EXPECT_NE(live.Handle("main/tv.m3u8", "lang=es", true, "").status, 200u);

    auto content = db_->GetContent(cid_);
    ASSERT_TRUE(content.ok());
    LocalizeRequest es{"es", "", false};
    ASSERT_TRUE(localize_->Check(*content, es).ok());
    auto job = localize_->Enqueue(user_, *content, es);
    ASSERT_TRUE(job.ok()) << job.error().message;
    EXPECT_EQ(job->kind, core::JobKind::kLocalize);
    auto r = testing::Drive(*localize_, *db_, job->id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;

    // The MP4: both languages tagged, audio and subtitles.
    auto streams = Streams(Lib("video.mp4"));
    std::vector<std::pair<std::string, std::string>> want = {
        {"video", "und"}, {"audio", "eng"}, {"audio", "spa"}, {"subtitle", "eng"},
        {"subtitle", "spa"}};
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& s : streams) {
        if (s.first == "audio" || s.first == "subtitle") got.push_back(s);  // not the chapters
    }
    want.erase(want.begin());
    EXPECT_EQ(got, want);

    // The master playlist: two audio and two subtitle renditions, English the default.
    const std::string master = Slurp(Lib("hls/master.m3u8"));
    EXPECT_NE(master.find("TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"English\",LANGUAGE=\"en\","
                          "DEFAULT=YES,AUTOSELECT=YES"),
              std::string::npos)
        << master;
    EXPECT_NE(master.find("TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Español\",LANGUAGE=\"es\","
                          "DEFAULT=NO,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio_es/index.m3u8\""),
              std::string::npos)
        << master;
    EXPECT_NE(master.find("TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Español\",LANGUAGE=\"es\""),
              std::string::npos);
    EXPECT_NE(master.find("TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\""),
              std::string::npos);
    // The new audio rendition is on the video's grid.
    auto video_pl = media::ParseMediaPlaylist(Slurp(Lib("hls/video/index.m3u8")));
    auto audio_pl = media::ParseMediaPlaylist(Slurp(Lib("hls/audio_es/index.m3u8")));
    ASSERT_TRUE(video_pl.ok() && audio_pl.ok());
    ASSERT_EQ(video_pl->size(), audio_pl->size());
    for (std::size_t i = 0; i < video_pl->size(); ++i)
        EXPECT_NEAR((*video_pl)[i].duration, (*audio_pl)[i].duration, 0.05);

    // Captions: Spanish (Apertium's words), each source line's Spanish cue within ±100 ms.
    auto en = engines::ParseWebVtt(Slurp(Lib("captions_en.vtt")));
    auto es_vtt = engines::ParseWebVtt(Slurp(Lib("captions_es.vtt")));
    ASSERT_TRUE(en.ok() && es_vtt.ok());
    std::string es_text;
    for (const auto& c : *es_vtt) es_text += c.text + " ";
    EXPECT_NE(es_text.find("faro"), std::string::npos) << es_text;
    const auto source = SentencesFromCues(*en);
    ASSERT_GE(source.size(), 2u);
    const auto onsets = SpeechOnsets(Lib("video.mp4"), 1);
    for (const auto& line : source) {
        double best = 1e9;
        for (const auto& c : *es_vtt) best = std::min(best, std::abs(c.start - line.start));
        EXPECT_LE(best, 0.1) << "no Spanish cue near " << line.start << " (" << line.text << ")";
        double heard = 1e9;
        for (double t : onsets) heard = std::min(heard, std::abs(t - line.start));
        EXPECT_LE(heard, 0.1) << "no Spanish speech starts near " << line.start;
    }
    // Tempo stays within 0.9-1.1; speech as a whole (the voice's own rate times the tempo) too,
    // except lines the dub reports as over_speed (the last resort, counted in the stage output
    // and logged); every line is placed within ±100 ms of its cue and none overlaps the next.
    const auto dub = db_->GetJob(job->id)->stages["dub"];
    int over = 0;
    double prev_end = -1;
    for (const auto& l : dub["lines"]) {
        EXPECT_GE(l.value("tempo", 0.0), 0.9);
        EXPECT_LE(l.value("tempo", 9.0), 1.1);
        const double speed = l.value("tempo", 0.0) * l.value("rate", 0.0);
        if (l.value("over_speed", true)) ++over;
        else EXPECT_LE(speed, 1.1 + 1e-9);
        EXPECT_LE(std::abs(l.value("start", 0.0) - l.value("cue", 99.0)), 0.1);
        EXPECT_GE(l.value("start", 0.0), prev_end) << l.dump();
        prev_end = l.value("end", 0.0);
    }
    EXPECT_EQ(dub.value("over_speed", -1), over);
    double silence_cut = 0;  // eSpeak NG pads its lines; the fit works with the speech alone
    for (const auto& l : dub["lines"]) silence_cut += l.value("silence_cut", 0.0);
    EXPECT_GT(silence_cut, 0.05);
    std::cerr << "dub: " << over << " of " << dub["lines"].size() << " lines above 1.1x\n";

    // The API's view of the item.
    auto after = db_->GetContent(cid_);
    EXPECT_EQ(after->languages, (std::vector<std::string>{"en", "es"}));
    auto langs = ReadLanguages(*store_, *after);
    ASSERT_EQ(langs.size(), 2u);
    EXPECT_EQ(langs[1]["engines"]["translation"], "apertium");
    EXPECT_EQ(langs[1]["engines"]["voice"], "espeak-ng");

    // LiveLoop: the item on air now carries Spanish in tv.m3u8.
    auto tv = live.Handle("main/tv.m3u8", "lang=es", true, "");
    ASSERT_EQ(tv.status, 200u) << tv.body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(tv.body, m, std::regex("m/es/([0-9]+)\\.ts"))) << tv.body;
    auto seg = live.Handle("main/m/es/" + std::string(m[1]) + ".ts", "", true, "");
    ASSERT_EQ(seg.status, 200u);
    EXPECT_GT(seg.body.size() + (seg.file.empty() ? 0 : fs::file_size(seg.file)), 1000u);

    // The held cut: this item has a line that does not fit its slot at 1.1x, so Spanish also
    // gets its own timeline where the picture holds for it. There speech never goes beyond
    // 1.1x, every line starts within ±100 ms of its cue on that timeline, and what a viewer gets
    // (the MP4 download, the HLS package) is that long, in Spanish, with speech at those cues.
    ASSERT_TRUE(dub.contains("held")) << dub.dump();
    const auto& held = dub["held"];
    std::vector<Hold> holds;
    for (const auto& h : held["holds"]) holds.push_back({h["at"], h["seconds"]});
    ASSERT_FALSE(holds.empty());
    EXPECT_EQ(held.value("over_speed", -1), 0);
    prev_end = -1;
    for (const auto& l : held["lines"]) {
        EXPECT_LE(l.value("tempo", 9.0) * l.value("rate", 9.0), kMaxSpeed + 1e-9) << l.dump();
        EXPECT_FALSE(l.value("over_speed", true));
        const double cue = HeldTime(holds, l.value("source_cue", -9.0));
        EXPECT_NEAR(l.value("cue", 0.0), cue, 1e-6);
        EXPECT_LE(std::abs(l.value("start", 0.0) - cue), 0.1) << l.dump();
        EXPECT_GE(l.value("start", 0.0), prev_end) << l.dump();
        prev_end = l.value("end", 0.0);
    }
    const double held_duration = held.value("duration", 0.0);
    EXPECT_NEAR(held_duration, HeldDuration(holds, after->duration), 1e-6);
    std::cerr << "held cut: " << holds.size() << " holds, " << held_duration - after->duration
              << " s longer, " << held.value("over_speed", -1) << " lines above 1.1x\n";
    ASSERT_TRUE(langs[1].contains("held")) << langs[1].dump();
    EXPECT_EQ(langs[1]["held"]["mp4_url"],
              "/media/library/" + std::to_string(cid_) + "/video_es.mp4");
    // Captions timed to the held dub: a Spanish cue within ±100 ms of every line's held cue.
    auto held_vtt = engines::ParseWebVtt(Slurp(Lib("captions_es_held.vtt")));
    ASSERT_TRUE(held_vtt.ok());
    for (const auto& line : source) {
        double best = 1e9;
        for (const auto& c : *held_vtt) best = std::min(best, std::abs(c.start - HeldTime(holds, line.start)));
        EXPECT_LE(best, 0.1) << "no held Spanish cue near " << HeldTime(holds, line.start);
    }
    got.clear();
    for (const auto& st : Streams(Lib("video_es.mp4"))) {
        if (st.first != "data") got.push_back(st);  // not the chapters
    }
    EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{
                       {"video", "und"}, {"audio", "spa"}, {"subtitle", "spa"}}));
    // The chapters are there, each moved by the holds before it.
    auto chapters_of = [](const fs::path& f) {
        auto j = core::Json::parse(pipeline::Run({"ffprobe", "-v", "error", "-show_chapters",
                                                  "-of", "json", f.string()}),
                                   nullptr, false);
        std::vector<double> starts;
        for (const auto& c : j["chapters"]) starts.push_back(std::stod(c["start_time"].get<std::string>()));
        return starts;
    };
    const auto chapters = chapters_of(Lib("video.mp4"));
    const auto held_chapters = chapters_of(Lib("video_es.mp4"));
    ASSERT_EQ(held_chapters.size(), chapters.size());
    ASSERT_FALSE(chapters.empty());
    for (std::size_t i = 0; i < chapters.size(); ++i)
        EXPECT_NEAR(held_chapters[i], HeldTime(holds, chapters[i]), 0.002);
    const double mp4_seconds = std::stod(pipeline::Run({"ffprobe", "-v", "error", "-show_entries",
                                              "format=duration", "-of", "csv=p=0",
                                              Lib("video_es.mp4").string()}));
    EXPECT_NEAR(mp4_seconds, held_duration, 0.1);
    const auto held_onsets = SpeechOnsets(Lib("video_es.mp4"), 0);
    for (const auto& line : source) {
        double heard = 1e9;
        for (double t : held_onsets) heard = std::min(heard, std::abs(t - HeldTime(holds, line.start)));
        EXPECT_LE(heard, 0.1) << "no Spanish speech starts near " << HeldTime(holds, line.start)
                              << " on the held timeline";
    }
    const std::string held_master = Slurp(Lib("hls/held_es/master.m3u8"));
    EXPECT_NE(held_master.find("LANGUAGE=\"es\",DEFAULT=YES"), std::string::npos) << held_master;
    EXPECT_NE(held_master.find("TYPE=SUBTITLES"), std::string::npos) << held_master;
    auto held_video = media::ParseMediaPlaylist(Slurp(Lib("hls/held_es/video/index.m3u8")));
    ASSERT_TRUE(held_video.ok());
    double held_hls = 0;
    for (const auto& seg : *held_video) held_hls += seg.duration;
    EXPECT_NEAR(held_hls, held_duration, 0.1);
    EXPECT_EQ(Slurp(Lib("hls/master.m3u8")).find("held_es"), std::string::npos);
    // Only the segments with a hold were re-encoded (the rest of the picture is copied).
    bool by_segments = false;
    for (const auto& [level, line] : r.logs)
        by_segments |= line.find("segment(s) re-encoded") != std::string::npos;
    EXPECT_TRUE(by_segments);

    // Adding it twice is a conflict; removing it restores two streams and one audio rendition.
    EXPECT_EQ(localize_->Check(*after, es).error().code, core::ErrorCode::kConflict);
    auto removed = localize_->Remove(cid_, "es");
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    EXPECT_EQ(removed->languages, std::vector<std::string>{"en"});
    const std::string master2 = Slurp(Lib("hls/master.m3u8"));
    EXPECT_EQ(master2.find("LANGUAGE=\"es\""), std::string::npos) << master2;
    EXPECT_FALSE(fs::exists(Lib("hls/audio_es")));
    EXPECT_FALSE(fs::exists(Lib("hls/held_es")));
    EXPECT_FALSE(fs::exists(Lib("video_es.mp4")));
    EXPECT_FALSE(fs::exists(Lib("captions_es_held.vtt")));
    int audio_streams = 0;
    for (const auto& s : Streams(Lib("video.mp4"))) audio_streams += s.first == "audio";
    EXPECT_EQ(audio_streams, 1);
    EXPECT_EQ(localize_->Remove(cid_, "en").error().code, core::ErrorCode::kConflict);
    bus_.Unsubscribe(sub);
}

TEST_F(LocalizeIntegration, FailuresLeaveTheItemExactlyAsItWas) {
    auto content = db_->GetContent(cid_);
    ASSERT_TRUE(content.ok());
    const std::string master = Slurp(Lib("hls/master.m3u8"));
    const std::string mp4 = Slurp(Lib("video.mp4"));

    // A pair Apertium does not have: refused before any job, naming what is supported.
    auto bad = localize_->Check(*content, {"xh", "", false});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(std::regex_search(bad.error().message,
                                  std::regex("supported targets from en: ([a-z]+, )*es(, [a-z]+)*$")))
        << bad.error().message;

    // A voice the engine does not have: the job fails saying so.
    LocalizeRequest r{"es", "no-such-voice", false};
    ASSERT_TRUE(localize_->Check(*content, r).ok());
    auto job = localize_->Enqueue(user_, *content, r);
    ASSERT_TRUE(job.ok());
    auto run = testing::Drive(*localize_, *db_, job->id);
    ASSERT_FALSE(run.status.ok());
    EXPECT_NE(run.status.error().message.find("has no voice 'no-such-voice'"), std::string::npos)
        << run.status.error().message;
    EXPECT_EQ(db_->GetJob(job->id)->status, core::JobState::kFailed);

    EXPECT_EQ(Slurp(Lib("hls/master.m3u8")), master);
    EXPECT_EQ(Slurp(Lib("video.mp4")), mp4);
    EXPECT_FALSE(fs::exists(Lib("hls/audio_es")));
    EXPECT_FALSE(fs::exists(Lib("languages.json")));
    EXPECT_EQ(db_->GetContent(cid_)->languages, std::vector<std::string>{"en"});

    // Captions only: a subtitle rendition and stream, no audio.
    auto caps = localize_->Enqueue(user_, *content, {"es", "", true});
    ASSERT_TRUE(caps.ok());
    auto done = testing::Drive(*localize_, *db_, caps->id);
    ASSERT_TRUE(done.status.ok()) << done.status.error().message;
    const std::string master2 = Slurp(Lib("hls/master.m3u8"));
    EXPECT_EQ(master2.find("TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Español\""), std::string::npos);
    EXPECT_NE(master2.find("TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Español\""),
              std::string::npos);
    int audio = 0, subs = 0;
    for (const auto& s : Streams(Lib("video.mp4"))) {
        audio += s.first == "audio";
        subs += s.first == "subtitle";
    }
    EXPECT_EQ(audio, 1);
    EXPECT_EQ(subs, 2);
}

TEST_F(LocalizeIntegration, OllamaStandInTranslatesWithASchemaAndItsOutageChangesNothing) {
    auto content = db_->GetContent(cid_);
    ASSERT_TRUE(content.ok());
    const std::string master = Slurp(Lib("hls/master.m3u8"));
    const std::string mp4 = Slurp(Lib("video.mp4"));
    engines::HttpClient http;
    LocalizeOptions o;
    o.voice = &espeak_;
    o.targets = [](const std::string& from) { return LlmTargets(from); };
    {
        // The service is down: the job fails naming it; the item is untouched.
        beacon::testing::DoubleProcess d("ollama_double.py", {"--fail", "503", "--fail-times", "-1"});
        engines::OllamaOptions oo;
        oo.host = d.url();
        oo.retry.max_attempts = 1;
        engines::OllamaTranslator ollama(oo, http);
        LocalizeJob job(ollama, o, *db_, *db_, *store_, bus_, media_, root_ / "scratch");
        auto j = job.Enqueue(user_, *content, {"fr", "", true});
        ASSERT_TRUE(j.ok());
        auto r = testing::Drive(job, *db_, j->id);
        ASSERT_FALSE(r.status.ok());
        EXPECT_NE(r.status.error().message.find("translation (ollama)"), std::string::npos)
            << r.status.error().message;
        EXPECT_EQ(Slurp(Lib("hls/master.m3u8")), master);
        EXPECT_EQ(Slurp(Lib("video.mp4")), mp4);
        EXPECT_EQ(db_->GetContent(cid_)->languages, std::vector<std::string>{"en"});
    }
    beacon::testing::DoubleProcess d("ollama_double.py");
    engines::OllamaOptions oo;
    oo.host = d.url();
    engines::OllamaTranslator ollama(oo, http);
    LocalizeJob job(ollama, o, *db_, *db_, *store_, bus_, media_, root_ / "scratch");
    auto j = job.Enqueue(user_, *content, {"fr", "", true});
    ASSERT_TRUE(j.ok());
    auto r = testing::Drive(job, *db_, j->id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    // Beacon asked with a JSON schema; the stand-in's answer is what the French captions say.
    EXPECT_NE(d.Requests().dump().find("\"translation\""), std::string::npos);
    const std::string vtt = Slurp(Lib("captions_fr.vtt"));
    EXPECT_NE(vtt.find("[es]"), std::string::npos) << vtt;
    EXPECT_NE(Slurp(Lib("hls/master.m3u8")).find("TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Français\""),
              std::string::npos);
    auto langs = ReadLanguages(*store_, *db_->GetContent(cid_));
    EXPECT_EQ(langs.back()["engines"]["translation"], "ollama");
}

}  // namespace
}  // namespace beacon::pipeline
