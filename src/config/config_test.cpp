#include "config/config.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

namespace beacon::config {
namespace {

TEST(Config, DefaultsAreTheEmbeddedBuiltins) {
    auto c = Parse("", {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->server.listen.ToString(), "127.0.0.1:8080");
    EXPECT_EQ(c->engines.script, core::Engine::kBuiltin);
    EXPECT_EQ(c->engines.pictures, core::Engine::kBuiltin);
    EXPECT_EQ(c->media.segment_seconds, 4);
    // The documented defaults where they differ from the engines' own.
    EXPECT_EQ(c->comfyui.checkpoint, "sd_xl_base_1.0.safetensors");
    EXPECT_EQ(c->elevenlabs.voice_id, "21m00Tcm4TlvDq8ikWAM");
    EXPECT_EQ(c->whisper.url, "");
    EXPECT_EQ(c->whisper.model, "whisper-1");
    EXPECT_EQ(c->ollama.timeout, std::chrono::seconds(300));
    EXPECT_EQ(c->media.timeout, std::chrono::seconds(600));
}

TEST(Config, SectionsParseStraightIntoTheModulesOptions) {
    auto c = Parse(R"([ollama]
timeout_seconds = 42
[comfyui]
workflow = "flows/txt2img.json"
timeout_seconds = 7
[whisper]
url = "http://127.0.0.1:9000"
timeout_seconds = 9
[elevenlabs]
timeout_seconds = 11
[builtin]
voice = "kal"
[media]
timeout_seconds = 120
)", {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    const engines::OllamaOptions& ollama = c->ollama;
    EXPECT_EQ(ollama.timeout, std::chrono::seconds(42));
    EXPECT_EQ(ollama.keep_alive, "5m") << "keys the file cannot set keep the module's default";
    EXPECT_EQ(c->comfyui.workflow, std::filesystem::path("flows/txt2img.json"));
    EXPECT_EQ(c->comfyui.timeout, std::chrono::seconds(7));
    EXPECT_EQ(c->whisper.timeout, std::chrono::seconds(9));
    EXPECT_EQ(c->elevenlabs.timeout, std::chrono::seconds(11));
    EXPECT_EQ(c->builtin.voice, "kal");
    const media::MediaOptions& media = c->media;
    EXPECT_EQ(media.timeout, std::chrono::seconds(120));
    auto zero = Parse("[ollama]\ntimeout_seconds = 0\n", {});
    ASSERT_FALSE(zero.ok());
    EXPECT_EQ(zero.error().message,
              "beacon.toml: 'ollama.timeout_seconds' must be between 1 and 86400 (got 0)");
}

TEST(Config, AnEngineChoiceIsOneOfTheCapabilitysEngines) {
    auto c = Parse("[engines]\nscript = \"ollama\"\ncaptions = \"whisper\"\n[whisper]\n"
                   "url = \"http://127.0.0.1:8080\"\n",
                   {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->engines.script, core::Engine::kOllama);
    EXPECT_EQ(c->engines.captions, core::Engine::kWhisper);
    EXPECT_EQ(c->engines.voice, core::Engine::kBuiltin);
    auto unknown = Parse("[engines]\nvoice = \"siri\"\n", {});
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message,
              "beacon.toml: 'engines.voice' must be one of builtin, elevenlabs (got \"siri\")");
    auto wrong = Parse("[engines]\npictures = \"ollama\"\n", {});
    ASSERT_FALSE(wrong.ok()) << "a real engine that does not paint";
    EXPECT_EQ(wrong.error().message,
              "beacon.toml: 'engines.pictures' must be one of builtin, comfyui (got \"ollama\")");
    auto type = Parse("[engines]\nscript = 1\n", {});
    ASSERT_FALSE(type.ok());
    EXPECT_EQ(type.error().message,
              "beacon.toml: 'engines.script' must be a string, not an integer");
}

TEST(Config, ReadsEverySectionOfTheFile) {
    auto c = Parse(R"(
data_dir = "/srv/beacon"
[server]
listen = "0.0.0.0:9000"
[jobs]
workers = 4
[engines]
script = "ollama"
[ollama]
host = "http://gpu:11434"
model = "qwen2.5"
[media]
loudness_lufs = -14
burn_captions = true
)", {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->data_dir, "/srv/beacon");
    EXPECT_EQ(c->server.listen.host, "0.0.0.0");
    EXPECT_EQ(c->server.listen.port, 9000);
    EXPECT_EQ(c->jobs.workers, 4);
    EXPECT_EQ(c->engines.script, core::Engine::kOllama);
    EXPECT_EQ(c->ollama.model, "qwen2.5");
    EXPECT_DOUBLE_EQ(c->media.loudness_lufs, -14);
    EXPECT_TRUE(c->media.burn_captions);
}

TEST(Config, UnknownKeysAndBadValuesStopStartupNamingTheKey) {
    auto unknown = Parse("[server]\nlisten_port = 1\n", {});
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("server.listen_port"), std::string::npos);
    auto section = Parse("[nope]\nx = 1\n", {});
    ASSERT_FALSE(section.ok());
    EXPECT_NE(section.error().message.find("[nope]"), std::string::npos);
    auto type = Parse("[jobs]\nworkers = \"two\"\n", {});
    ASSERT_FALSE(type.ok());
    EXPECT_NE(type.error().message.find("jobs.workers"), std::string::npos);
    auto range = Parse("[jobs]\nworkers = 65\n", {});
    ASSERT_FALSE(range.ok());
    EXPECT_NE(range.error().message.find("between"), std::string::npos);
    auto engine = Parse("[engines]\nvoice = \"siri\"\n", {});
    ASSERT_FALSE(engine.ok());
    EXPECT_NE(engine.error().message.find("engines.voice"), std::string::npos);
    auto listen = Parse("[server]\nlisten = \"nowhere\"\n", {});
    ASSERT_FALSE(listen.ok());
    EXPECT_NE(listen.error().message.find("'server.listen' must be HOST:PORT"), std::string::npos)
        << listen.error().message;
    EXPECT_FALSE(Parse("[ollama]\nhost = \"ftp://x\"\n", {}).ok());
    EXPECT_FALSE(Parse("this is = = not toml", {}).ok());
}

TEST(Config, TheListenAddressIsParsedOnceIntoHostAndPort) {
    auto v6 = Parse("[server]\nlisten = \"[::1]:8443\"\n", {});
    ASSERT_TRUE(v6.ok()) << v6.error().message;
    EXPECT_EQ(v6->server.listen.host, "::1");
    EXPECT_EQ(v6->server.listen.port, 8443);
    auto env = Parse("", {{"BEACON_LISTEN", "0.0.0.0:9001"}});
    ASSERT_TRUE(env.ok()) << env.error().message;
    EXPECT_EQ(env->server.listen, (core::ListenAddress{"0.0.0.0", 9001}));
    auto bad_env = Parse("", {{"BEACON_LISTEN", "::1:80"}});
    ASSERT_FALSE(bad_env.ok());
    EXPECT_NE(bad_env.error().message.find("BEACON_LISTEN"), std::string::npos);
    EXPECT_FALSE(Parse("[server]\nlisten = 8080\n", {}).ok()) << "a string, not a number";
    EXPECT_FALSE(Parse("[arcade]\nlisten = \"127.0.0.1:99999\"\n", {}).ok());
}

TEST(Config, EnvironmentSelectsServicesUnlessTheFileChose) {
    Environment env = {{"OLLAMA_HOST", "127.0.0.1:11434"}, {"OLLAMA_MODEL", "llama3.2"},
                       {"COMFYUI_HOST", "http://127.0.0.1:8188"},
                       {"COMFYUI_CHECKPOINT", "dreamshaper.safetensors"},
                       {"ELEVEN_API_KEY", "sk-secret"}, {"ELEVEN_VOICE_ID", "v1"}};
    auto c = Parse("[engines]\npictures = \"builtin\"\n", env);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->engines.script, core::Engine::kOllama);
    EXPECT_EQ(c->ollama.host, "http://127.0.0.1:11434");
    EXPECT_EQ(c->engines.pictures, core::Engine::kBuiltin) << "the file's explicit choice wins";
    EXPECT_EQ(c->comfyui.checkpoint, "dreamshaper.safetensors");
    EXPECT_EQ(c->engines.voice, core::Engine::kElevenLabs);
    EXPECT_EQ(c->elevenlabs.voice_id, "v1");
}

TEST(Config, ElevenLabsWithoutAKeyIsAStartupError) {
    auto c = Parse("[engines]\nvoice = \"elevenlabs\"\n", {});
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("ELEVEN_API_KEY"), std::string::npos);
}

TEST(Config, WhisperKeyQueueAndVad) {
    auto c = Parse("[whisper]\nurl = \"http://127.0.0.1:8080\"\napi_key = \"file-key\"\n"
                   "vad = true\nmax_concurrent = 2\n",
                   {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->whisper.api_key, "file-key");
    EXPECT_TRUE(c->whisper.vad);
    EXPECT_EQ(c->whisper.max_concurrent, 2);
    EXPECT_EQ(Parse("", {})->whisper.max_concurrent, 1);
    auto env = Parse("[whisper]\napi_key = \"file-key\"\n", {{"WHISPER_API_KEY", "env-key"}});
    ASSERT_TRUE(env.ok()) << env.error().message;
    EXPECT_EQ(env->whisper.api_key, "env-key");
    EXPECT_FALSE(Parse("[whisper]\nmax_concurrent = 0\n", {}).ok());
}

}  // namespace
}  // namespace beacon::config

namespace beacon::config {
namespace {

TEST(Config, LiveLoopTunerZoneAndGuideKeys) {
    auto d = Parse("", {});
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_FALSE(d->liveloop.hdhomerun);  // the tuner answers without sign-in: opt in only
    EXPECT_EQ(d->liveloop.time_zone, "");
    EXPECT_EQ(d->liveloop.guide_hours, 24);
    auto c = Parse("[liveloop]\nhdhomerun = true\ntime_zone = \"Europe/Berlin\"\nguide_hours = 48\n",
                   {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_TRUE(c->liveloop.hdhomerun);
    EXPECT_EQ(c->liveloop.time_zone, "Europe/Berlin");
    EXPECT_EQ(c->liveloop.guide_hours, 48);
    auto bad = Parse("[liveloop]\nhdhomerun = \"yes\"\n", {});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("liveloop.hdhomerun"), std::string::npos);
    auto hours = Parse("[liveloop]\nguide_hours = 0\n", {});
    ASSERT_FALSE(hours.ok());
    EXPECT_NE(hours.error().message.find("liveloop.guide_hours"), std::string::npos);
}

TEST(Config, TheExampleFileListsValidKeysOnly) {
    auto c = Load(std::filesystem::path(BEACON_SOURCE_DIR) / "beacon.example.toml", {}, true);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->liveloop.window_segments, 15);
}

TEST(Config, ScaleOutKeysFromTheFileAndTheEnvironment) {
    auto file = Parse(R"([database]
url = "postgresql://beacon@db:5432/beacon"
pool = 4
[events]
redis_url = "redis://cache:6379"
[storage]
s3_endpoint = "http://s3:8333"
bucket = "media"
path_style = false
)", {});
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->database.url, "postgresql://beacon@db:5432/beacon");
    EXPECT_EQ(file->database.pool, 4);
    EXPECT_EQ(file->events.redis_url, "redis://cache:6379");
    EXPECT_EQ(file->storage.s3.bucket, "media");
    EXPECT_FALSE(file->storage.s3.path_style);
    auto env = Parse("", {{"BEACON_DATABASE_URL", "postgres://x@h/db"},
                          {"BEACON_REDIS_URL", "redis://r:1"},
                          {"BEACON_S3_ENDPOINT", "http://minio:9000"},
                          {"BEACON_S3_BUCKET", "b"},
                          {"BEACON_S3_SECRET_KEY", "s"},
                          {"BEACON_S3_PATH_STYLE", "true"}});
    ASSERT_TRUE(env.ok()) << env.error().message;
    EXPECT_EQ(env->database.url, "postgres://x@h/db");
    EXPECT_EQ(env->storage.s3.endpoint, "http://minio:9000");
    EXPECT_EQ(env->storage.s3.secret_key, "s");
    EXPECT_TRUE(Parse("", {})->database.url.empty()) << "SQLite stays the default";

    auto bad_db = Parse("[database]\nurl = \"mysql://x\"\n", {});
    ASSERT_FALSE(bad_db.ok());
    EXPECT_NE(bad_db.error().message.find("database.url"), std::string::npos);
    EXPECT_FALSE(Parse("[events]\nredis_url = \"http://r\"\n", {}).ok());
    EXPECT_FALSE(Parse("[storage]\ns3_endpoint = \"http://s3:1\"\n", {}).ok()) << "no bucket";
    EXPECT_FALSE(Parse("", {{"BEACON_S3_PATH_STYLE", "yes"}}).ok());
}

}  // namespace
}  // namespace beacon::config

namespace beacon::config {
namespace {

TEST(Config, OpsSectionsAreReadAndBackupTimeIsChecked) {
    auto c = Parse(R"(
[metrics]
token = "scrape"
nvidia_smi = ""
[quotas]
jobs_per_day = 20
[backup]
dir = "/mnt/b"
nightly = true
at = "03:30"
keep_days = 7
[secrets]
key_file = "/etc/beacon/secret.key"
)", {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->metrics.token, "scrape");
    EXPECT_EQ(c->metrics.nvidia_smi, "");
    EXPECT_EQ(c->quotas.jobs_per_day, 20);
    EXPECT_TRUE(c->backup.nightly);
    EXPECT_EQ(c->backup.at, "03:30");
    EXPECT_EQ(c->backup.keep_days, 7);
    EXPECT_EQ(c->secrets.key_file, "/etc/beacon/secret.key");
    for (const char* bad : {"3:30", "24:00", "02:60", "0230", "ab:cd"}) {
        auto r = Parse(std::string("[backup]\nat = \"") + bad + "\"\n", {});
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.error().message.find("backup.at"), std::string::npos) << r.error().message;
    }
    EXPECT_FALSE(Parse("[quotas]\njobs_per_day = -1\n", {}).ok());
}

}  // namespace
}  // namespace beacon::config

namespace beacon::config {
namespace {

TEST(Config, PartySectionIsReadAndChecked) {
    auto c = Parse("[party]\nmax_members = 8\ngroup_wait_seconds = 3\ninvite_hours = 2\n", {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->party.max_members, 8);
    EXPECT_EQ(c->party.group_wait_seconds, 3);
    EXPECT_EQ(c->party.invite_hours, 2);
    EXPECT_EQ(c->party.max_parties, 100);  // default kept
    auto bad = Parse("[party]\nmax_members = 1\n", {});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("party.max_members"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace beacon::config

namespace beacon::config {
namespace {

TEST(Config, AFileThatIsNotUtf8IsRefusedBeforeParsing) {
    // Found by the config fuzzer: invalid UTF-8 inside a literal string made the TOML library
    // read past its buffer. TOML files are UTF-8; anything else is refused naming the byte.
    const std::string text = "[server]\nlisten = '127.0.0.1:\xff\xff" "8080'\n";
    auto c = Parse(text, {}, "beacon.toml");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("not UTF-8 (byte 29)"), std::string::npos) << c.error().message;
    // Well-formed UTF-8 anywhere is fine.
    auto ok = Parse("[wiki]\nuser_agent = \"Nuit étoilée ✨\"\n", {}, "beacon.toml");
    EXPECT_TRUE(ok.ok()) << ok.error().message;
    // Overlong forms, surrogates and cut-short sequences are not.
    for (const std::string bad : {"a = \"\xc0\xaf\"\n", "a = \"\xed\xa0\x80\"\n", "a = \"\xe2\x82"}) {
        EXPECT_FALSE(Parse(bad, {}, "beacon.toml").ok()) << bad;
    }
}

}  // namespace
}  // namespace beacon::config
