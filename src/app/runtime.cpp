#include "app/runtime.hpp"

#include "app/ops_wiring.hpp"

#include <iostream>

#include <unistd.h>

#include "engines/espeak_voice.hpp"
#include "jobs/kinds.hpp"
#include "pipeline/import.hpp"
#include "pipeline/localize.hpp"
#include "pipeline/pipeline.hpp"
#include "storage/cached_store.hpp"
#include "storage/postgres_database.hpp"
#include "storage/s3_store.hpp"

namespace beacon::app {

namespace fs = std::filesystem;

Runtime::~Runtime() {
    if (wake_subscription != 0) events.Unsubscribe(wake_subscription);
    if (workers) workers->Stop();
    workers.reset();
    kinds.reset();
    importer.reset();
    localize.reset();
    pipeline.reset();
}

core::Result<std::unique_ptr<storage::ObjectStore>> OpenObjectStore(const config::Config& cfg) {
    if (cfg.storage.s3.endpoint.empty()) return storage::OpenFilesystemStore(cfg.data_dir / "media");
    // [storage] s3_endpoint: media live in the bucket; data/media is this machine's cache.
    storage::S3Options s3{cfg.storage.s3};
    BEACON_TRY(remote, storage::OpenS3Store(s3));
    return storage::OpenCachedStore(std::move(remote), cfg.data_dir / "media");
}

core::Result<std::unique_ptr<Runtime>> OpenRuntime(const config::Config& cfg) {
    auto rt = std::make_unique<Runtime>();
    rt->cfg = cfg;
    // Service keys stored with `beacon secret set` (encrypted at rest) fill what config left empty.
    if (auto st = ApplyStoredSecrets(rt->cfg); !st.ok()) return st.error();
    std::error_code ec;
    fs::create_directories(cfg.data_dir, ec);
    if (ec) {
        return core::Error::Unavailable(
            "cannot create data folder " + cfg.data_dir.string() + ": " + ec.message(), false);
    }
    if (access(cfg.data_dir.c_str(), W_OK) != 0) {
        return core::Error::Unavailable("data folder " + cfg.data_dir.string() + " is not writable",
                                        false);
    }
    // [database] url (BEACON_DATABASE_URL) selects PostgreSQL; otherwise SQLite in the folder.
    if (!cfg.database.url.empty()) {
        BEACON_TRY(db, storage::OpenPostgres(cfg.database.url, cfg.database.pool));
        rt->db = std::move(db);
    } else {
        BEACON_TRY(db, storage::OpenSqlite((cfg.data_dir / "beacon.db").string()));
        rt->db = std::move(db);
    }
    BEACON_TRY(store, OpenObjectStore(cfg));
    rt->store = std::move(store);
    if (!cfg.events.redis_url.empty()) {
        BEACON_TRY(url, jobs::ParseRedisUrl(cfg.events.redis_url));
        char host[256] = {0};
        gethostname(host, sizeof host - 1);
        rt->redis_events = std::make_unique<jobs::RedisEventBridge>(
            rt->events, url, std::string(host) + ":" + std::to_string(getpid()));
    }
    return rt;
}

core::Status StartWorkers(Runtime& rt, const std::string& worker_id) {
    if (!rt.engines) {
        BEACON_TRY(eng, BuildEngines(rt.cfg));
        rt.engines = std::move(eng);
    }
    if (!rt.pipeline) {
        fs::path scratch = rt.cfg.data_dir / "tmp";
        std::error_code ec;
        fs::create_directories(scratch, ec);
        rt.io_pool = std::make_unique<core::TaskPool>(
            "io", pipeline::GenerationPipeline::kDefaultIoThreads);
        rt.cpu_pool = std::make_unique<core::TaskPool>("cpu", core::TaskPool::Cores());
        rt.pipeline = std::make_unique<pipeline::GenerationPipeline>(
            rt.adapt_engines ? rt.adapt_engines(rt.engines->Set()) : rt.engines->Set(), *rt.db,
            *rt.store, rt.cfg.media, scratch,
            core::TaskPools{*rt.io_pool, *rt.cpu_pool});
    }
    if (!rt.localize && rt.engines->Set().translator) {
        // Dubs: ElevenLabs' multilingual models when it is the voice engine, else eSpeak NG.
        const auto& eo = rt.engines->options();
        engines::VoiceEngine* dub = nullptr;
        if (eo.select.voice == core::Engine::kElevenLabs) {
            dub = rt.engines->Set().voice;
        } else {
            rt.dub_voice = std::make_unique<engines::EspeakVoiceEngine>();
            dub = rt.dub_voice.get();
        }
        pipeline::LocalizeOptions lo;
        lo.voice = dub;
        lo.targets = [sel = eo.select.translation,
                      apertium = eo.builtin.apertium](const std::string& from) {
            if (sel == core::Engine::kOllama) return pipeline::LlmTargets(from);
            return pipeline::ApertiumTargets(engines::ApertiumTranslator(apertium).Pairs(), from);
        };
        rt.localize = std::make_unique<pipeline::LocalizeJob>(
            *rt.engines->Set().translator, lo, *rt.db, *rt.db, *rt.store, rt.events,
            rt.cfg.media, rt.cfg.data_dir / "tmp");
    }
    if (!rt.importer) {
        // Captions for imports come from speech recognition only (Whisper when configured).
        engines::CaptionEngine* asr =
            rt.engines->options().select.captions == core::Engine::kWhisper ? rt.engines->Set().captions
                                                                            : nullptr;
        rt.importer = std::make_unique<pipeline::ImportJob>(
            asr, *rt.db, *rt.store, rt.cfg.media, rt.cfg.data_dir / "tmp");
    }
    if (!rt.kinds) {
        rt.kinds = std::make_unique<jobs::KindDispatch>();
        rt.kinds->Register(core::JobKind::kGenerate, *rt.pipeline);
        if (rt.localize) rt.kinds->Register(pipeline::kLocalizeKind, *rt.localize);
        rt.kinds->Register(pipeline::kImportKind, *rt.importer);
    }
    jobs::WorkerPoolOptions o;
    o.workers = rt.cfg.jobs.workers;
    o.lease = std::chrono::seconds(rt.cfg.jobs.lease_seconds);
    o.max_attempts = rt.cfg.jobs.max_attempts;
    o.backoff_base = std::chrono::milliseconds(rt.cfg.jobs.backoff_base_ms);
    o.backoff_cap = std::chrono::milliseconds(rt.cfg.jobs.backoff_cap_ms);
    o.worker_id = worker_id;
    o.disk_dirs = {rt.cfg.data_dir, rt.cfg.data_dir / "media", rt.cfg.data_dir / "tmp"};
    o.min_free_mb = rt.cfg.storage.min_free_mb;
    rt.workers = std::make_unique<jobs::WorkerPool>(*rt.db, rt.events, *rt.kinds, o);
    // [jobs] workers = 0: this process runs no jobs itself (remote workers do); the pool still
    // answers Cancel and Notify.
    if (rt.cfg.jobs.workers > 0) rt.workers->Start();
    if (rt.redis_events && rt.wake_subscription == 0) {
        // A job queued by another process (its event arrives through Redis) wakes idle workers
        // at once instead of at their next poll.
        jobs::WorkerPool* pool = rt.workers.get();
        rt.wake_subscription = rt.events.Subscribe([pool](const jobs::Event& e) {
            if (e.type == "job.updated" && e.data.is_object() &&
                e.data.value("status", std::string()) == "queued") {
                pool->Notify();
            }
        });
    }
    return {};
}

}  // namespace beacon::app
