#include "jobs/run_end.hpp"

#include "jobs/disk_space.hpp"

namespace beacon::jobs {

core::JobEvent EventForRunEnd(const RunEnd& end) {
    using core::JobEvent;
    if (end.stopped) return end.cancel_requested ? JobEvent::kStop : JobEvent::kRequeue;
    if (!end.error) return JobEvent::kComplete;
    if (IsNoSpaceError(*end.error)) return JobEvent::kFail;
    if (end.error->retryable && end.attempts < end.max_attempts) return JobEvent::kRequeue;
    return JobEvent::kFail;
}

}  // namespace beacon::jobs
