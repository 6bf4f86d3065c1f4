#pragma once
/// Failed engine calls counted by service and error class, for /metrics
/// (beacon_engine_errors_total{service,class}). `CountedEngines` wraps every engine of an
/// EngineSet so that each call answering an Error is counted once, at the outermost layer
/// (after the concurrency limits and host pools have done their retries).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engines/engines.hpp"

namespace beacon::engines {

/// Thread-safe counts of failed calls.
class ErrorTally {
public:
    /// Counts `e` for `service` under its class (core::ToString(e.code)); a canceled call
    /// (the job was canceled, nothing failed) is not counted.
    void Count(std::string_view service, const core::Error& e);
    struct Entry {
        std::string service;
        std::string error_class;
        std::uint64_t count = 0;
    };
    /// Every (service, class) seen so far, sorted.
    std::vector<Entry> Snapshot() const;

private:
    mutable std::mutex mu_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> counts_;
};

/// The service name counted for each capability's engine (bounded: the engine kind, e.g.
/// "ollama", "comfyui", "elevenlabs", "whisper", "flite", "storyboard").
struct ServiceNames {
    std::string script, voice, pictures, captions, translator, entities;
};

/// Decorators over a borrowed EngineSet; `Set()` hands out the counting ones (same nulls).
class CountedEngines {
public:
    CountedEngines(EngineSet inner, const ServiceNames& names, ErrorTally& tally);
    ~CountedEngines();
    CountedEngines(const CountedEngines&) = delete;
    CountedEngines& operator=(const CountedEngines&) = delete;
    EngineSet Set() const { return set_; }

private:
    std::unique_ptr<ScriptWriter> script_;
    std::unique_ptr<VoiceEngine> voice_;
    std::unique_ptr<PictureEngine> pictures_;
    std::unique_ptr<CaptionEngine> captions_;
    std::unique_ptr<Translator> translator_;
    std::unique_ptr<EntityExtractor> entities_;
    EngineSet set_;
};

}  // namespace beacon::engines
