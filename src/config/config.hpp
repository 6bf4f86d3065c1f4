#pragma once
/// beacon.toml + environment → typed, validated configuration. Read once at start-up, only by
/// src/app, which hands each component its own options (clients never read config).
/// A section that configures one module is that module's options struct, parsed in place
/// (engines/options.hpp, media/options.hpp, storage/s3_options.hpp: plain data headers, included without linking the
/// module); the other sections are defined here.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/listen_address.hpp"
#include "core/result.hpp"
#include "engines/options.hpp"
#include "media/options.hpp"
#include "storage/s3_options.hpp"

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
    /// S3-compatible object store for media (scale-out); endpoint "" = the data folder's media/
    /// (default). Keys s3_endpoint (BEACON_S3_ENDPOINT), bucket (BEACON_S3_BUCKET), region
    /// (BEACON_S3_REGION), access_key, secret_key (BEACON_S3_ACCESS_KEY, _SECRET_KEY), path_style.
    storage::S3Service s3;
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
    /// The S3 service of a `dir` = "s3://bucket/prefix" (keys s3_endpoint, s3_region,
    /// s3_access_key, s3_secret_key, s3_path_style; the bucket comes from `dir`). Endpoint "":
    /// [storage]'s service is used instead.
    storage::S3Service s3;
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
    engines::EngineSelection engines;  // [engines]: which adapter serves each capability
    engines::OllamaOptions ollama;
    /// Documented defaults that differ from the module's own (engines/options.hpp):
    engines::ComfyOptions comfyui{.checkpoint = "sd_xl_base_1.0.safetensors"};
    engines::ElevenLabsOptions elevenlabs{.voice_id = "21m00Tcm4TlvDq8ikWAM"};
    engines::WhisperOptions whisper{.url = "", .model = "whisper-1"};  // "" = none set
    engines::BuiltinOptions builtin;
    media::MediaOptions media;
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
