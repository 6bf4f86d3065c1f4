#pragma once
/// What the end of one run of a job means for the job: the worker pool's half of the job state
/// machine (core/job_machine.hpp decides the state the event leads to). Pure, no I/O.
#include <optional>

#include "core/job_machine.hpp"
#include "core/result.hpp"

namespace beacon::jobs {

/// How a run of a job ended, as its worker saw it.
struct RunEnd {
    bool stopped = false;              ///< stopped before its stages were done
    bool cancel_requested = false;     ///< a user asked to cancel it (read back from the store)
    std::optional<core::Error> error;  ///< a stage's failure (unset when it stopped or finished)
    int attempts = 1;                  ///< runs started, this one included
    int max_attempts = 5;              ///< runs before a retryable error is final
};

/// The event a run's end is: stopped on a cancel request → kStop; stopped otherwise (shutdown)
/// → kRequeue (it resumes after its last recorded stage); a full disk → kFail at once (never
/// retried into the same full disk); a retryable error with attempts left → kRequeue (with
/// backoff); any other error → kFail; no error → kComplete.
core::JobEvent EventForRunEnd(const RunEnd& end);

}  // namespace beacon::jobs
