#pragma once
/// beacon.toml + environment → typed, validated configuration. Read once at start-up, only by
/// src/app, which hands each component its own options (clients never read config).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/listen_address.hpp"
#include "core/result.hpp"

namespace beacon::config {

struct ServerConfig {
    /// What the HTTP server binds: "host:port" or "[v6]:port" (BEACON_LISTEN, serve --listen),
    /// parsed once here; port 0 picks a free one. Default 127.0.0.1:8080.
    core::ListenAddress listen;
    std::int64_t max_body_bytes = 1 << 20;  // bytes; larger request bodies get 413
    std::string public_url;                 // absolute base URL for M3U/XMLTV links; "" = from Host
    std::string web_root;                   // built web UI folder; "" = web/dist beside the binary's repo
    int threads = 2;                        // HTTP I/O threads
    int max_connections = 1000;  // connections at once (also kept below the open-file limit)
    std::vector<std::string> allowed_hosts;  // extra Host names accepted; "*" = any
    /// Events replayed to a reconnecting WebSocket client; further behind it gets "resync".
    int ws_max_replay = 1000;
    /// TLS on the listener: PEM certificate chain and private key files (both or neither);
    /// re-read on SIGHUP. "" = plain HTTP.
    std::string tls_cert;
    std::string tls_key;
    /// Plain HTTP on an address that is neither loopback nor a private LAN range is refused at
    /// start unless this is true (e.g. a TLS proxy in front). Default false.
    bool allow_insecure_remote = false;
};

struct JobsConfig {
    int workers = 2;                  // jobs run at once (0: none here, remote workers only)
    int lease_seconds = 30;           // s; a worker that stops renewing loses its job after this
    int max_attempts = 5;             // runs before a retryable error becomes final
    int backoff_base_ms = 1000;       // ms; first retry delay, doubled per attempt
    int backoff_cap_ms = 60000;       // ms; retry delay never exceeds this
};

/// Which adapter runs per capability: "builtin" or the named service.
struct EnginesConfig {
    std::string script = "builtin";       // builtin | ollama
    std::string voice = "builtin";        // builtin | elevenlabs
    std::string pictures = "builtin";     // builtin | comfyui
    std::string captions = "builtin";     // builtin | whisper
    std::string translation = "builtin";  // builtin | ollama
    std::string entities = "builtin";     // builtin | ollama
};

struct OllamaConfig {
    std::string host = "http://127.0.0.1:11434";  // OLLAMA_HOST
    std::vector<std::string> hosts;  // more than one: scripts go to a pool of hosts
    std::string model = "llama3.2";               // OLLAMA_MODEL
    int timeout_seconds = 300;                    // s per request
    int concurrency = 1;                          // requests at once
};

struct ComfyConfig {
    std::string host = "http://127.0.0.1:8188";        // COMFYUI_HOST
    std::vector<std::string> hosts;  // more than one: a pool (each with `concurrency` slots)
    std::string checkpoint = "sd_xl_base_1.0.safetensors";  // COMFYUI_CHECKPOINT
    std::string workflow;          // API-format workflow template file; "" = the built-in txt2img
    int steps = 20;                // sampler steps
    int timeout_seconds = 600;     // s per picture
    int concurrency = 1;           // one slot per GPU
    /// A checkpoint per style (generate's `style`); unlisted styles use `checkpoint`.
    std::map<std::string, std::string> style_checkpoints;
    int max_batch = 4;  // most pictures in one prompt, when the workflow takes a batch latent
};

struct ElevenLabsConfig {
    std::string api_key;                              // ELEVEN_API_KEY (never logged)
    std::string voice_id = "21m00Tcm4TlvDq8ikWAM";    // ELEVEN_VOICE_ID
    std::string model_id = "eleven_multilingual_v2";  // ELEVEN_MODEL_ID
    std::string base_url = "https://api.elevenlabs.io";
    std::string output_format = "mp3_44100_128";
    int timeout_seconds = 120;  // s per request
    int concurrency = 2;        // requests at once
};

struct WhisperConfig {
    std::string url;               // WHISPER_URL, e.g. http://127.0.0.1:8080
    std::string api = "whispercpp";  // whispercpp (/inference) | openai (/v1/audio/transcriptions)
    std::string model = "whisper-1";
    int timeout_seconds = 300;     // s per request
    std::string api_key;           // WHISPER_API_KEY: Bearer key for a server that needs one
    bool vad = false;              // whisper.cpp: ask the server's VAD (needs --vad-model there)
    int max_concurrent = 1;        // requests in flight; whisper-server serves one at a time
};

struct BuiltinConfig {
    std::string voice = "slt";     // Flite voice name
    int voice_concurrency = 2;     // scenes voiced at once
    int pictures_concurrency = 2;  // scenes painted at once
};

struct MediaConfig {
    int segment_seconds = 4;       // s; HLS segment and GOP length
    int fps = 25;                  // frames per second of every library item
    int preview_height = 480;      // px
    int crf = 20;                  // x264 quality of finals
    int audio_bitrate_kbps = 128;  // kb/s AAC
    bool burn_captions = false;    // also burn captions into the picture
    double loudness_lufs = -16;    // LUFS integrated target (EBU R128)
    double true_peak_db = -1.5;    // dBTP ceiling
    std::string ffmpeg = "ffmpeg";
    std::string ffprobe = "ffprobe";
    int timeout_seconds = 600;     // s per ffmpeg run
};

struct LiveLoopConfig {
    int window_segments = 15;   // segments in a live playlist
    int horizon_seconds = 30;   // s of committed schedule ahead of now ("Play next" airs within about this)
    int guide_hours = 24;       // h of programmes listed in guide.xml (and looked ahead by /now)
    std::string time_zone;      // IANA zone of slot times ("Europe/Berlin"); "" = system local
    bool hdhomerun = false;     // serve the HDHomeRun tuner API (/discover.json ...) without sign-in
    /// Web origins allowed to read /live/* cross-origin (CORS); "*" = any. Playlists and segments
    /// still need a stream key or a session.
    std::vector<std::string> cors_origins = {"*"};
};

/// Wiki facts (src/wiki): entities of each item and facts about them, local-first.
struct WikiConfig {
    std::string zim;           // a Kiwix .zim file (e.g. wikipedia_en_all_nopic.zim); "" = none
    bool online = false;       // allow Wikipedia REST lookups (off: nothing leaves the machine)
    /// "kiwix" | "wikipedia" | "" = kiwix when zim is set, else wikipedia when online.
    /// "wikipedia" counts as allowing online lookups.
    std::string source;
    std::string language = "en";   // Wikipedia language code (en, de, fr...)
    std::string wikipedia_url;     // base URL; "" = https://<language>.wikipedia.org
    std::string kiwix_serve_url;   // a kiwix-serve with the same ZIM for source links; "" = /wiki/
    std::string user_agent;        // "" = "Beacon/<version> (self-hosted media server; wiki facts)"
    int cache_days = 7;            // days a looked-up fact is kept before it is asked again
    int max_concurrent = 3;        // Wikipedia requests in flight at once, 1..16
};

struct StorageConfig {
    std::int64_t min_free_mb = 1024;  // MiB; below this free in the data folder new jobs get 503
    /// S3-compatible object store for media (scale-out); "" = the data folder's media/ (default).
    std::string s3_endpoint;  // http(s)://host:port of the S3 API (BEACON_S3_ENDPOINT)
    std::string bucket;       // bucket name (BEACON_S3_BUCKET); must exist
    std::string region = "us-east-1";  // SigV4 signing region (BEACON_S3_REGION)
    std::string access_key;   // (BEACON_S3_ACCESS_KEY)
    std::string secret_key;   // (BEACON_S3_SECRET_KEY)
    bool path_style = true;   // endpoint/bucket/key URLs (MinIO, Garage); false = bucket.endpoint
};

/// Where metadata lives. "" = SQLite in the data folder (default).
struct DatabaseConfig {
    std::string url;  // "postgresql://user:pass@host:5432/beacon" (BEACON_DATABASE_URL)
    int pool = 8;     // connections per process to PostgreSQL, 1..64
};

/// Cross-process events (scale-out): workers on other machines publish job events that reach
/// the server's WebSocket clients.
struct EventsConfig {
    std::string redis_url;  // "redis://host:6379" (BEACON_REDIS_URL); "" = in-process only
};

/// GET /metrics (Prometheus) and the dashboard (src/ops).
struct MetricsConfig {
    std::string token;                     // bearer token for scrapers besides user tokens; "" = none
    std::string nvidia_smi = "nvidia-smi";  // GPU series when this program answers; "" = off
    /// Seconds between asks for the remote engine hosts' GPU figures (ComfyUI /system_stats,
    /// Ollama /api/ps) for /metrics and the dashboard; 0 = never. Only hosts of engines in use.
    int gpu_poll_seconds = 15;
};

struct QuotasConfig {
    int jobs_per_day = 0;  // jobs accepted per UTC day (all users); 0 = unlimited; beyond: 429
};

struct BackupConfig {
    std::string dir;        // where backups go; "" = <data_dir>/backups
    bool nightly = false;   // `beacon serve` makes one backup a day at `at`
    std::string at = "02:00";  // HH:MM, UTC
    int keep_days = 14;     // days; older beacon-backup-* folders in `dir` are removed
    /// The S3 service of a `dir` = "s3://bucket/prefix"; "" = [storage]'s s3_endpoint, region,
    /// keys and path_style. When set, the four below are used instead.
    std::string s3_endpoint;
    std::string s3_region = "us-east-1";
    std::string s3_access_key;
    std::string s3_secret_key;
    bool s3_path_style = true;
};

struct SecretsConfig {
    std::string key_file;  // the secretbox key (0600); "" = <data_dir>/secret.key
};

/// [auth]: signed access tokens and their refresh tokens (docs/ops.md, "signed access tokens").
struct AuthConfig {
    int access_token_minutes = 15;   // an access token's lifetime (1..1440)
    int refresh_idle_days = 14;      // a refresh token unused this long expires (1..365)
    int refresh_max_days = 30;       // a sign-in (refresh family) ends after this (1..365)
    int revocation_sync_seconds = 2; // revocations by other processes on the database (1..60)
};

/// The Arcade (src/arcade): uploaded HTML5 games, served from their own origin.
struct ArcadeConfig {
    bool enabled = true;                    // the game API and the games' listener
    /// host:port of the games' origin (never the studio's). "" = 127.0.0.1:8091, or a free port
    /// when 8091 is taken (a second Beacon on the machine); a set value is used as it is.
    std::string listen;
    /// The games' origin as browsers reach it; "{id}" gives each game its own host name, e.g.
    /// "https://g{id}.games.example". "" = "http://g{id}.localhost:<port>" on a loopback listen
    /// address, else "http://<listen>".
    std::string public_url;
    std::int64_t max_upload_mb = 512;  // MiB; one upload request (spooled to disk as received)
    std::int64_t max_total_mb = 500;   // MiB extracted per game
    std::int64_t max_file_mb = 200;    // MiB per file in a game
    int max_files = 1000;              // files and folders per game
    bool samples = true;               // install the sample games on first start
};

/// [party]: watch parties (see docs/party.md).
struct PartyConfig {
    int max_parties = 100;          // parties at once
    int max_members = 50;           // members per party
    int group_wait_seconds = 8;     // after a seek or start, wait this long for everyone
    int rebuffer_wait_seconds = 5;  // a member stalling mid-play holds the group this long
    int invite_hours = 24;          // invite links expire after this
    int chat_max_chars = 500;       // longest chat message (bytes)
};

struct Config {
    std::filesystem::path data_dir = "data";  // database + media (--data overrides)
    MetricsConfig metrics;
    QuotasConfig quotas;
    BackupConfig backup;
    SecretsConfig secrets;
    AuthConfig auth;
    StorageConfig storage;
    DatabaseConfig database;
    EventsConfig events;
    ServerConfig server;
    JobsConfig jobs;
    EnginesConfig engines;
    OllamaConfig ollama;
    ComfyConfig comfyui;
    ElevenLabsConfig elevenlabs;
    WhisperConfig whisper;
    BuiltinConfig builtin;
    MediaConfig media;
    LiveLoopConfig liveloop;
    WikiConfig wiki;
    ArcadeConfig arcade;
    PartyConfig party;
};

using Environment = std::map<std::string, std::string>;
/// The process environment as a map (only the variables Beacon reads).
Environment ProcessEnvironment();

/// Parses TOML text. Unknown sections or keys and bad values are errors naming the key path and
/// the reason. Environment variables override the file (OLLAMA_HOST, OLLAMA_MODEL, COMFYUI_HOST,
/// COMFYUI_CHECKPOINT, ELEVEN_API_KEY, ELEVEN_VOICE_ID, ELEVEN_MODEL_ID, WHISPER_URL, BEACON_DATA,
/// BEACON_LISTEN); setting a service's variable selects that service for its capability unless
/// the file chose an engine for it explicitly.
core::Result<Config> Parse(const std::string& toml_text, const Environment& env,
                           const std::string& source_name = "beacon.toml");
/// Reads the file (a missing file is fine when `required` is false: defaults + environment).
core::Result<Config> Load(const std::filesystem::path& file, const Environment& env,
                          bool required);

}  // namespace beacon::config
