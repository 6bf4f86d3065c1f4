#pragma once
/// Per-engine concurrency limits: a counting semaphore that honours stop_tokens, and wrappers
/// that let at most N calls into an engine at once (one ComfyUI slot per GPU, N ElevenLabs
/// requests). Scenes then run in parallel up to the limit and queue beyond it.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>

#include "engines/engines.hpp"

namespace beacon::engines {

/// Counting semaphore; Acquire waits until a slot is free or stop is requested.
class Semaphore {
public:
    explicit Semaphore(int slots);
    /// Returns false (holding nothing) when stop was requested before a slot came free.
    bool Acquire(std::stop_token stop);
    void Release();
    int Available() const;
    int InUse() const;
    int MaxInUse() const;  // high-water mark, for tests and measurements

private:
    mutable std::mutex mu_;
    std::condition_variable_any cv_;
    int slots_;
    int in_use_ = 0;
    int max_in_use_ = 0;
};

/// RAII slot holder.
class SemaphoreSlot {
public:
    SemaphoreSlot(Semaphore& s, std::stop_token stop) : s_(s), held_(s.Acquire(stop)) {}
    ~SemaphoreSlot() {
        if (held_) s_.Release();
    }
    SemaphoreSlot(const SemaphoreSlot&) = delete;
    SemaphoreSlot& operator=(const SemaphoreSlot&) = delete;
    bool held() const { return held_; }

private:
    Semaphore& s_;
    bool held_;
};

/// Wraps a PictureEngine so that at most `slots` Paint calls run at once. Borrows inner.
class LimitedPictureEngine final : public PictureEngine {
public:
    LimitedPictureEngine(PictureEngine& inner, int slots) : inner_(inner), sem_(slots) {}
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override;
    Provenance Describe() const override { return inner_.Describe(); }
    bool PaintsDrafts() const override { return inner_.PaintsDrafts(); }
    const Semaphore& semaphore() const { return sem_; }

private:
    PictureEngine& inner_;
    Semaphore sem_;
};

/// Wraps a VoiceEngine so that at most `slots` Speak calls run at once. Borrows inner.
class LimitedVoiceEngine final : public VoiceEngine {
public:
    LimitedVoiceEngine(VoiceEngine& inner, int slots) : inner_(inner), sem_(slots) {}
    Result<VoiceResult> Speak(const VoiceRequest& req, const std::filesystem::path& out_dir,
                              std::stop_token stop) override;
    Result<std::vector<Voice>> ListVoices() override { return inner_.ListVoices(); }
    Provenance Describe() const override { return inner_.Describe(); }
    const Semaphore& semaphore() const { return sem_; }

private:
    VoiceEngine& inner_;
    Semaphore sem_;
};

/// Wraps a ScriptWriter (e.g. one Ollama slot). Borrows inner.
class LimitedScriptWriter final : public ScriptWriter {
public:
    LimitedScriptWriter(ScriptWriter& inner, int slots) : inner_(inner), sem_(slots) {}
    Result<ScriptResult> Write(const ScriptRequest& req, const LogSink& log,
                               std::stop_token stop) override;
    Provenance Describe() const override { return inner_.Describe(); }

private:
    ScriptWriter& inner_;
    Semaphore sem_;
};

}  // namespace beacon::engines
