#include "app/serve.hpp"

#include <unistd.h>

#include <array>
#include <csignal>
#include <ctime>
#include <cstdio>
#include <iostream>
#include <map>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "app/arcade_wiring.hpp"
#include "app/batch.hpp"
#include "app/commands.hpp"
#include "app/auth_wiring.hpp"
#include "app/ops_wiring.hpp"
#include "ops/moderation.hpp"
#include "ops/moderation_http.hpp"
#include "app/languages_routes.hpp"
#include "app/wiki_wiring.hpp"
#include "app/worker_remote.hpp"
#include "app/runtime.hpp"
#include "liveloop/service.hpp"
#include "media/hls.hpp"
#include "media/runner.hpp"
#include "party/http.hpp"
#include "pipeline/pipeline.hpp"
#include "server/auth.hpp"
#include "server/server.hpp"
#include "storage/database.hpp"
#include "storage/module_db.hpp"
#include "storage/object_store.hpp"
#ifdef BEACON_WITH_VERSE
#include "verse/http.hpp"
#include "verse/world_pictures.hpp"
#endif

#ifndef BEACON_DEFAULT_WEB_ROOT
#define BEACON_DEFAULT_WEB_ROOT "web/dist"
#endif

namespace beacon::app {

namespace fs = std::filesystem;
using core::Json;

void WaitForTerminationSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
}

namespace {

/// Runs `argv` and returns the first line of its output, or an error. Through the media
/// runner: the child gets no descriptor of ours and dies with the server.
core::Result<std::string> FirstLineOf(const std::vector<std::string>& argv) {
    media::RunOptions opts;
    opts.timeout = std::chrono::seconds(30);
    auto out = media::RunProcess(argv, opts);
    if (!out.ok()) return core::Error::Unavailable(argv[0] + " is missing or failed", false);
    return out->stdout_text.substr(0, out->stdout_text.find('\n'));
}

/// Hands out engine health with a short cache: the checks call remote services.
class HealthCache {
public:
    explicit HealthCache(engines::Engines& engines) : engines_(engines) {
        // Which capabilities run a built-in local engine (badged in the UI).
        auto set = engines_.Set();
        auto mark = [this](const char* capability, const auto* engine) {
            if (engine) builtin_[capability] = engine->Describe().builtin;
        };
        mark("script", set.script);
        mark("voice", set.voice);
        mark("pictures", set.pictures);
        mark("captions", set.captions);
        mark("translation", set.translator);
        mark("entities", set.entities);
    }
    Json Get() {
        std::lock_guard lock(mu_);
        auto now = std::chrono::steady_clock::now();
        if (cached_.is_null() || now - at_ > std::chrono::seconds(10)) {
            Json items = Json::array();
            for (const auto& c : engines_.Check()) {
                auto it = builtin_.find(c.capability);
                items.push_back({{"capability", c.capability},
                                 {"engine", c.engine},
                                 {"builtin", it != builtin_.end() && it->second},
                                 {"ok", c.ok},
                                 {"detail", c.detail}});
            }
            cached_ = items;
            at_ = now;
        }
        return cached_;
    }

private:
    engines::Engines& engines_;
    std::map<std::string, bool> builtin_;
    std::mutex mu_;
    Json cached_;
    std::chrono::steady_clock::time_point at_;
};

/// First start: takes the admin password from BEACON_ADMIN_PASSWORD, or says how to set it.
void EnsureAdmin(Runtime& rt) {
    auto count = rt.db->CountUsersWithPassword();
    if (!count.ok() || *count > 0) return;
    const char* env = std::getenv("BEACON_ADMIN_PASSWORD");
    if (env && *env) {
        auto valid = server::ValidateNewPassword(env);
        auto hash = valid.ok() ? server::HashPassword(env)
                               : core::Result<std::string>(valid.error());
        auto user = rt.db->GetOrCreateUser("admin");
        if (hash.ok() && user.ok() && rt.db->SetPasswordHash(user->id, *hash).ok()) {
            std::cerr << "beacon: admin password set from BEACON_ADMIN_PASSWORD\n";
            return;
        }
        std::cerr << "beacon: BEACON_ADMIN_PASSWORD not used: "
                  << (hash.ok() ? "could not store it" : hash.error().message) << "\n";
    }
    std::cerr << "beacon: no admin password is set yet. Set one with\n"
              << "    beacon user set-password --data " << rt.cfg.data_dir.string() << "\n"
              << "or open the web UI, which asks for one on first visit.\n";
}

}  // namespace

std::vector<engines::HealthCheck> CheckTools(const config::Config& cfg) {
    std::vector<engines::HealthCheck> out;
    for (const auto& [name, bin] : {std::pair{"ffmpeg", cfg.media.ffmpeg},
                                    std::pair{"ffprobe", cfg.media.ffprobe}}) {
        auto line = FirstLineOf({bin, "-hide_banner", "-version"});
        out.push_back({"tool", name, line.ok(), line.ok() ? *line : line.error().message});
    }
    return out;
}

int Serve(const CommonOptions& common, const std::string& listen) {
    // Block the termination signals (and SIGHUP: reload the TLS certificate) in every thread;
    // the main thread waits for them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    auto cfg = config::Load(common.config_file.empty() ? "beacon.toml" : common.config_file,
                            config::ProcessEnvironment(), !common.config_file.empty());
    if (!cfg.ok()) return std::cerr << "beacon: " << cfg.error().message << "\n", 1;
    if (!common.data_dir.empty()) cfg->data_dir = common.data_dir;
    if (!listen.empty()) {
        auto parsed = core::ParseListenAddress(listen);
        if (!parsed.ok()) return std::cerr << "beacon: --listen " << listen << " " << parsed.error().message << "\n", 2;
        cfg->server.listen = *parsed;
    }
    auto rt_result = OpenRuntime(*cfg);
    if (!rt_result.ok()) return std::cerr << "beacon: " << rt_result.error().message << "\n", 1;
    Runtime& rt = **rt_result;
    EnsureAdmin(rt);

#ifdef BEACON_WITH_VERSE
    // Verse: worlds in their own SQLite file beside the database (in PostgreSQL when the studio
    // runs on it), assets in the object store.
    // A generation naming a world has its pictures rendered from it (verse/world_pictures.hpp).
    auto verse_store = verse::WorldStore::Open(storage::ModuleDbLocation(
        rt.cfg.database.url, (rt.cfg.data_dir / "verse.db").string()));
    if (!verse_store.ok()) return std::cerr << "beacon: " << verse_store.error().message << "\n", 1;
    verse::VerseService verse_service(**verse_store, *rt.store);
    std::unique_ptr<verse::WorldPictureEngine> world_pictures;
    rt.adapt_engines = [&](engines::EngineSet set) {
        const fs::path web = rt.cfg.server.web_root.empty() ? fs::path(BEACON_DEFAULT_WEB_ROOT)
                                                            : fs::path(rt.cfg.server.web_root);
        world_pictures = std::make_unique<verse::WorldPictureEngine>(
            *set.pictures, verse_service,
            verse::WorldPictureOptions{"chromium", web / "verse-render" / "render.js"});
        set.pictures = world_pictures.get();
        return set;
    };
#endif
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    if (auto st = StartWorkers(rt, std::string(host) + "/serve:" + fs::absolute(rt.cfg.data_dir).string());
        !st.ok()) {
        return std::cerr << "beacon: " << st.error().message << "\n", 1;
    }

    liveloop::LiveLoopOptions live_options;
    live_options.window_segments = rt.cfg.liveloop.window_segments;
    live_options.horizon_seconds = rt.cfg.liveloop.horizon_seconds;
    live_options.target_duration = rt.cfg.media.segment_seconds;
    live_options.public_base_url = [url = rt.cfg.server.public_url] { return url; };
    live_options.guide_hours = rt.cfg.liveloop.guide_hours;
    // Rewritten segments are cached as unnamed files on the data disk (sent from the page cache).
    live_options.segment_file_dir = (rt.cfg.data_dir / "tmp").string();
    // Slot times such as "20:00" are wall-clock times in this zone, with its rules for each date.
    auto zone = liveloop::TimeZone::Load(rt.cfg.liveloop.time_zone);
    if (!zone.ok()) {
        return std::cerr << "beacon: liveloop.time_zone: " << zone.error().message << "\n", 1;
    }
    live_options.time_zone = *zone;
    // Moderation (src/ops): flagged items leave playout; going public asks for a review.
    auto moderation = ops::Moderation::Open(storage::ModuleDbLocation(
        rt.cfg.database.url, (rt.cfg.data_dir / "beacon.db").string()));
    if (!moderation.ok()) std::cerr << "beacon: moderation off: " << moderation.error().message << "\n";
    if (moderation.ok()) {
        live_options.held_back = [m = moderation->get()](std::int64_t id) { return m->IsFlagged(id); };
    }
    liveloop::LiveLoopService live(*rt.db, *rt.db, *rt.store, live_options);
    HealthCache health(*rt.engines);
    // Library changes reach the channels at once (a deleted item leaves their future).
    auto content_sub = rt.events.Subscribe([&live](const jobs::Event& e) {
        if (e.type == "content.updated" || e.type == "content.deleted") {
            live.OnContentChanged(e.data.value("id", std::int64_t{0}));
        }
    });

    server::ServerDeps deps{*rt.db, *rt.store, rt.events, rt.workers.get()};
    if (moderation.ok()) {
        deps.moderation = ops::MakeModerationHook(**moderation, *rt.db);
        for (auto& r : ops::ModerationRoutes(**moderation, *rt.db, rt.events)) deps.routes.push_back(std::move(r));
    }
#ifdef BEACON_WITH_VERSE
    deps.pin_world = [&verse_service](std::int64_t user, const Json& body) {
        return verse_service.PinForVideo(user, body);
    };
    for (auto& r : verse::HttpRoutes(verse_service, rt.cfg.server.public_url)) {
        deps.routes.push_back(std::move(r));
    }
#endif
    // Metrics, the dashboard's summary, the job quota and nightly backups (src/ops).
    auto ops = OpsWiring::Open(rt.cfg, rt.events);
    if (ops) ops->AddTo(deps);
    // Signed access tokens with refresh (src/server/auth_tokens.hpp); API tokens work regardless.
    auto access_tokens = OpenAccessTokens(rt.cfg);
    if (access_tokens.ok()) {
        deps.access_tokens = access_tokens->get();
    } else {
        std::cerr << "beacon: signed access tokens off: " << access_tokens.error().message << "\n";
    }
    if (ops) ops->WatchPools(*rt.engines);
    auto arcade = ArcadeWiring::Open(rt.cfg);
    if (!arcade.ok()) return std::cerr << "beacon: arcade: " << arcade.error().message << "\n", 1;
    if (*arcade) (*arcade)->AddStudioRoutes(deps);
    if (rt.localize) {
        for (auto& r : LanguageRoutes(*rt.localize, *rt.db, *rt.store, rt.events, rt.workers.get()))
            deps.routes.push_back(std::move(r));
    }
    if (rt.importer) {
        for (auto& r : ImportRoutes(*rt.importer, rt.cfg.media,
                                    rt.cfg.data_dir / "tmp" / "uploads", rt.events, rt.workers.get()))
            deps.routes.push_back(std::move(r));
    }
    auto wiki = WikiWiring::Open(rt.cfg, *rt.db, *rt.store);
    if (!wiki.ok()) return std::cerr << "beacon: wiki: " << wiki.error().message << "\n", 1;
    (*wiki)->AddRoutes(deps);
    std::cerr << "beacon: wiki facts: " << (*wiki)->Describe() << "\n";
    deps.live_handler = [&live](const server::LiveRequest& r) -> core::Result<server::LiveResponse> {
        std::string query;
        if (auto lang = r.query.find("lang"); lang != r.query.end()) query = "lang=" + lang->second;
        auto a = live.Handle(r.path, query, r.authenticated, r.stream_key, r.base_url);
        server::LiveResponse out;
        out.status = a.status;
        out.content_type = a.content_type;
        out.cache_control = a.cache_control;
        out.body = std::move(a.body);
        out.file = std::move(a.file);
        if (a.stream) {
            out.stream = [next = std::move(a.stream)]() {
                liveloop::StreamChunk c = next();
                return server::BodyChunk{std::move(c.bytes), c.wait_ms, c.end};
            };
        }
        return out;
    };
    // Cached channel segments are answered on the network threads (never blocks).
    deps.live_cached = [&live](const server::LiveRequest& r) -> std::optional<server::LiveResponse> {
        if (!r.authenticated) return std::nullopt;
        auto a = live.TryCachedSegment(r.path);
        if (!a) return std::nullopt;
        server::LiveResponse out;
        out.status = a->status;
        out.content_type = std::move(a->content_type);
        out.cache_control = std::move(a->cache_control);
        out.body = std::move(a->body);
        out.shared_file = std::move(a->shared_file);
        return out;
    };
    if (rt.cfg.liveloop.hdhomerun) {
        // The tuner's identity stays the same as long as the data folder does.
        deps.tuner_handler = [&live, device = liveloop::MakeTunerDevice(
                                         fs::absolute(rt.cfg.data_dir).string())](
                                 const server::LiveRequest& r) -> core::Result<server::LiveResponse> {
            BEACON_TRY(channels, live.TunerChannels(r.base_url, r.stream_key));
            liveloop::TunerDevice d = device;
            d.base_url = r.base_url;
            auto scan = r.query.find("scan");
            auto a = liveloop::AnswerTuner(r.path, scan == r.query.end() ? "" : scan->second, d,
                                           channels);
            server::LiveResponse out;
            out.status = a.status;
            out.content_type = a.content_type;
            out.body = std::move(a.body);
            return out;
        };
    }
    // The API notifies the workers and publishes job.updated after a regeneration.
    deps.regenerate_scene = [&rt](std::int64_t job, int scene, const Json& edits) {
        return pipeline::RegenerateScene(*rt.db, job, scene, edits);
    };
    deps.engine_health = [&health]() -> core::Result<Json> { return health.Get(); };
    deps.list_voices = [&rt]() -> core::Result<Json> {
        auto* voice = rt.engines->Set().voice;
        if (!voice) return core::Error::Unavailable("no voice engine configured", false);
        BEACON_TRY(voices, voice->ListVoices());
        Json items = Json::array();
        for (const auto& v : voices) {
            items.push_back({{"id", v.id}, {"name", v.name}, {"language", v.language}});
        }
        return items;
    };
    deps.channel_now = [&live](std::int64_t id) { return live.Now(id); };
    deps.playlist_changed = [&live](std::int64_t id) { live.OnPlaylistChanged(id); };

    // Watch parties (src/party): in memory; invite holders reach only their own party's routes.
    party::PartyOptions party_options;
    party_options.max_parties = static_cast<std::size_t>(rt.cfg.party.max_parties);
    party_options.max_members = static_cast<std::size_t>(rt.cfg.party.max_members);
    party_options.group_wait_ms = rt.cfg.party.group_wait_seconds * 1000.0;
    party_options.rebuffer_wait_ms = rt.cfg.party.rebuffer_wait_seconds * 1000.0;
    party_options.invite_ttl_ms = rt.cfg.party.invite_hours * 3600 * 1000LL;
    party_options.chat_max_chars = static_cast<std::size_t>(rt.cfg.party.chat_max_chars);
    party::PartyService parties(party_options);
    if (ops) ops->WatchParties(parties);
    for (auto& r : party::HttpRoutes(parties, {*rt.db, *rt.db, *rt.store, deps.live_handler})) {
        deps.routes.push_back(std::move(r));
    }
    for (auto& s : party::Sockets(parties)) deps.sockets.push_back(std::move(s));
    // Batches: many prompts at once; the daily quota counts every item.
    for (auto& r : BatchRoutes({*rt.db, rt.events, rt.workers.get(), deps.list_voices,
                                [&ops](int jobs) -> core::Status {
                                    return ops ? ops->AdmitJobs(jobs) : core::Status{};
                                }})) {
        deps.routes.push_back(std::move(r));
    }

    // Remote workers (src/remote): registration and job tokens, the stalled-job watchdog.
    auto remote_workers = RemoteWiring::Open(rt);
    if (!remote_workers.ok()) {
        return std::cerr << "beacon: " << remote_workers.error().message << "\n", 1;
    }
    (*remote_workers)->AddTo(deps);

    server::ServerOptions so;
    so.listen = rt.cfg.server.listen;
    so.tls_cert = rt.cfg.server.tls_cert;
    so.tls_key = rt.cfg.server.tls_key;
    so.allow_insecure_remote = rt.cfg.server.allow_insecure_remote;
    so.live_cors_origins = rt.cfg.liveloop.cors_origins;
    so.web_root = rt.cfg.server.web_root.empty() ? fs::path(BEACON_DEFAULT_WEB_ROOT)
                                                 : fs::path(rt.cfg.server.web_root);
    so.max_body_bytes = static_cast<std::size_t>(rt.cfg.server.max_body_bytes);
    so.threads = rt.cfg.server.threads;
    so.max_connections = static_cast<std::size_t>(rt.cfg.server.max_connections);
    so.ws_max_replay = static_cast<std::size_t>(rt.cfg.server.ws_max_replay);
    so.allowed_hosts = rt.cfg.server.allowed_hosts;
    so.public_url = rt.cfg.server.public_url;
    // Long enough for every channel to have moved past a deleted item's published segments.
    so.media_delete_delay = std::chrono::seconds(
        rt.cfg.liveloop.horizon_seconds +
        rt.cfg.liveloop.window_segments * rt.cfg.media.segment_seconds * 2);
    // Sweeps deferred media deletions (also those left by an earlier run).
    std::jthread sweeper([&rt](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        while (!stop.stop_requested()) {
            auto due = rt.db->TakeDueObjectDeletes(core::NowMillis());
            if (due.ok()) {
                for (const auto& prefix : *due) {
                    if (auto st = rt.store->Delete(prefix); !st.ok()) {
                        std::cerr << "beacon: cannot delete " << prefix << ": "
                                  << st.error().message << "\n";
                    }
                }
            }
            std::unique_lock lock(m);
            cv.wait_for(lock, stop, std::chrono::seconds(15), [] { return false; });
        }
    });
    // Items packaged before muxed renditions existed get them once (stream copy, oldest
    // first), so that IPTV clients and stream.ts can play every item.
    std::jthread upgrader([&rt, &live](std::stop_token stop) {
        const media::MediaOptions& opts = rt.cfg.media;
        int upgraded = 0;
        std::int64_t offset = 0;
        while (!stop.stop_requested()) {
            storage::ContentQuery q;
            q.sort = "oldest";
            q.limit = 100;
            q.offset = offset;
            auto page = rt.db->ListContent(q);
            if (!page.ok() || page->items.empty()) break;
            for (const auto& c : page->items) {
                if (stop.stop_requested()) break;
                auto manifest = rt.store->LocalPath("library/" + std::to_string(c.id) +
                                                    "/hls/segments.json");
                std::error_code ec;
                if (manifest.empty() || !fs::exists(manifest, ec)) continue;
                media::RunOptions run;
                run.stop = stop;
                auto done = media::AddMuxedRenditions(opts, manifest.parent_path().string(), run);
                if (!done.ok()) {
                    std::cerr << "beacon: item " << c.id << ": cannot add muxed renditions: "
                              << done.error().message << "\n";
                } else if (*done) {
                    ++upgraded;
                    live.OnContentChanged(c.id);
                }
            }
            offset += static_cast<std::int64_t>(page->items.size());
        }
        if (upgraded > 0) {
            std::cerr << "beacon: added muxed (IPTV) renditions to " << upgraded
                      << " library item(s)\n";
        }
    });
    server::Server http(deps, so);
    if (ops) ops->Started(http);
    if (auto st = http.Start(); !st.ok()) {
        return std::cerr << "beacon: " << st.error().message << "\n", 1;
    }
    if (*arcade) (*arcade)->StartGames(deps, http.port());
    const bool tls = !so.tls_cert.empty();
    std::cerr << "beacon: serving " << (tls ? "https://" : "http://")
              << so.listen.UrlHost() << ":" << http.port() << "/ (data in "
              << fs::absolute(rt.cfg.data_dir).string() << "); Ctrl-C stops"
              << (tls ? ", SIGHUP reloads the TLS certificate" : "") << "\n";
    for (;;) {
        int sig = 0;
        sigwait(&set, &sig);
        if (sig != SIGHUP) break;
        if (!tls) continue;
        if (auto st = http.ReloadTls(); st.ok()) {
            std::cerr << "beacon: TLS certificate reloaded from " << so.tls_cert.string() << "\n";
        } else {
            std::cerr << "beacon: TLS reload failed, keeping the current certificate: "
                      << st.error().message << "\n";
        }
    }
    std::cerr << "beacon: stopping\n";
    http.Stop();
    rt.events.Unsubscribe(content_sub);
    rt.workers->Stop();
    return 0;
}

}  // namespace beacon::app
