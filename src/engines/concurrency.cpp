#include "engines/concurrency.hpp"

#include <algorithm>

namespace beacon::engines {

Semaphore::Semaphore(int slots) : slots_(std::max(1, slots)) {}

bool Semaphore::Acquire(std::stop_token stop) {
    std::unique_lock lock(mu_);
    if (!cv_.wait(lock, stop, [&] { return in_use_ < slots_; })) return false;
    ++in_use_;
    max_in_use_ = std::max(max_in_use_, in_use_);
    return true;
}

void Semaphore::Release() {
    {
        std::lock_guard lock(mu_);
        --in_use_;
    }
    cv_.notify_one();
}

int Semaphore::Available() const {
    std::lock_guard lock(mu_);
    return slots_ - in_use_;
}

int Semaphore::InUse() const {
    std::lock_guard lock(mu_);
    return in_use_;
}

int Semaphore::MaxInUse() const {
    std::lock_guard lock(mu_);
    return max_in_use_;
}

Result<PictureResult> LimitedPictureEngine::Paint(const PictureRequest& req,
                                                  const std::filesystem::path& out_dir,
                                                  const LogSink& log, std::stop_token stop) {
    SemaphoreSlot slot(sem_, stop);
    if (!slot.held()) return core::Error::Canceled("canceled while waiting for a picture slot");
    return inner_.Paint(req, out_dir, log, stop);
}

Result<VoiceResult> LimitedVoiceEngine::Speak(const VoiceRequest& req,
                                              const std::filesystem::path& out_dir,
                                              std::stop_token stop) {
    SemaphoreSlot slot(sem_, stop);
    if (!slot.held()) return core::Error::Canceled("canceled while waiting for a voice slot");
    return inner_.Speak(req, out_dir, stop);
}

Result<ScriptResult> LimitedScriptWriter::Write(const ScriptRequest& req, const LogSink& log,
                                                std::stop_token stop) {
    SemaphoreSlot slot(sem_, stop);
    if (!slot.held()) return core::Error::Canceled("canceled while waiting for a script slot");
    return inner_.Write(req, log, stop);
}

}  // namespace beacon::engines
