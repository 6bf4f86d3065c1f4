#pragma once
/// Option structs and factories for every adapter, for src/app to wire from beacon.toml, and
/// the `beacon doctor` health checks (one function per adapter, re-exported here).
#include <memory>
#include <string>

#include "engines/apertium.hpp"
#include "engines/captions.hpp"
#include "engines/comfyui.hpp"
#include "engines/concurrency.hpp"
#include "engines/elevenlabs.hpp"
#include "engines/entities.hpp"
#include "engines/error_tally.hpp"
#include "engines/flite_voice.hpp"
#include "engines/http_client.hpp"
#include "engines/ollama.hpp"
#include "engines/planner.hpp"
#include "engines/pool.hpp"
#include "engines/storyboard.hpp"
#include "engines/whisper.hpp"

namespace beacon::engines {

/// What a pool did on one host, for doctor and the engines panel: "`unit`s, per minute, slots
/// busy, queued, checkpoint switches (now M)".
std::string HostFigures(const HostStatus& st, const std::string& unit);

struct EngineOptions {
    EngineSelection select;
    BuiltinOptions builtin;
    OllamaOptions ollama;
    ComfyOptions comfyui;
    ElevenLabsOptions elevenlabs;
    WhisperOptions whisper;
    /// Notes from engines that have no job log at hand (e.g. an unwrapped Ollama answer); may be empty.
    LogSink service_log;
};

/// Owns the chosen engines (with their concurrency wrappers) and the shared HttpClient.
class Engines {
public:
    /// Fails on an unknown selection name (naming the capability and the value).
    static Result<std::unique_ptr<Engines>> Create(const EngineOptions& opts);
    /// Destroys wrappers before what they wrap (the pooled engine's threads first).
    ~Engines();
    /// Borrowed pointers, valid while this object lives.
    EngineSet Set() const { return set_; }
    /// One line per selected engine, each checked for real.
    std::vector<HealthCheck> Check() const;
    const EngineOptions& options() const { return opts_; }
    /// The host pools in use (service name, pool): ComfyUI always (one host or many), Ollama
    /// with several hosts.
    std::vector<std::pair<std::string, const HostPool*>> Pools() const;
    /// Failed calls of the engines in Set(), by service and error class (for /metrics).
    const ErrorTally& errors() const { return errors_; }
    /// One health line for a pool from its hosts' checks: ok while any host answers; the detail
    /// names each host's state and what the pool has done on it (`unit`, per minute, slots).
    HealthCheck PoolCheck(const std::string& capability, const std::string& engine,
                          const std::string& service, const std::vector<HealthCheck>& hosts,
                          const std::string& unit) const;

private:
    Engines() = default;
    // pictures_ holds the pooled engine, whose worker threads use pools_: pools_ must outlive
    // it (members are destroyed in reverse order, so pools_ is declared before pictures_).
    EngineOptions opts_;
    HttpClient http_;
    std::vector<std::pair<std::string, std::unique_ptr<HostPool>>> pools_;
    std::vector<std::unique_ptr<ScriptWriter>> scripts_;
    std::vector<std::unique_ptr<VoiceEngine>> voices_;
    std::vector<std::unique_ptr<PictureEngine>> pictures_;
    std::unique_ptr<CaptionEngine> captions_;
    std::unique_ptr<Translator> translator_;
    std::unique_ptr<EntityExtractor> entities_;
    EngineSet set_;
    ErrorTally errors_;
    std::unique_ptr<CountedEngines> counted_;  // wraps the engines above: set_ points into it
};

}  // namespace beacon::engines
