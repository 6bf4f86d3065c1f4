#pragma once
/// The job state machine: every move of a job between states, decided in one pure function
/// (no I/O). The storage backends build their claim/finish guards from it and write the state it
/// returns; the worker pool asks it what a run's end means. Forbidden moves are Conflict errors.
///
///   queued ──claim──▶ (held) ──advance──▶ generating_script … composing
///      ▲                 │ complete / fail / stop
///      │ requeue, retry, └──────────────▶ completed | failed | canceled
///      │ reopen                                         │
///      └────────────────────────────────────────────────┘
/// A cancel request cancels an unheld job at once and only flags a held one; the flagged job is
/// canceled by its holder (stop) or, when its lease runs out, by the next claimer.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::core {

/// What can happen to a job.
enum class JobEvent {
    kClaim,          ///< a worker takes the lease (an unheld job, not flagged for cancel)
    kAdvance,        ///< the holder reports a running stage (`target`, a non-terminal state)
    kRequeue,        ///< back to the queue: a retryable error (with backoff) or a shutdown
    kComplete,       ///< the holder finished it
    kFail,           ///< the holder (or a remote worker) gave up on it
    kStop,           ///< the holder stopped it on a cancel request: canceled
    kRequestCancel,  ///< a user asks to cancel it
    kLeaseExpired,   ///< no live lease any more (the holder died, or its lease was released)
    kRetry,          ///< a user retries a failed or canceled job
    kReopen,         ///< a finished job is re-opened (scene regeneration), stages kept
};
inline constexpr JobEvent kAllJobEvents[] = {
    JobEvent::kClaim, JobEvent::kAdvance, JobEvent::kRequeue,       JobEvent::kComplete,
    JobEvent::kFail,  JobEvent::kStop,    JobEvent::kRequestCancel, JobEvent::kLeaseExpired,
    JobEvent::kRetry, JobEvent::kReopen};
inline constexpr JobState kAllJobStates[] = {
    JobState::kQueued,         JobState::kGeneratingScript, JobState::kRenderingPreview,
    JobState::kRenderingFinal, JobState::kComposing,        JobState::kCompleted,
    JobState::kFailed,         JobState::kCanceled};
std::string_view ToString(JobEvent e);

/// The parts of a job the machine reads and decides.
struct JobPosition {
    JobState state = JobState::kQueued;
    bool held = false;              ///< a worker holds a live lease
    bool cancel_requested = false;  ///< a user asked to cancel it
    bool operator==(const JobPosition&) const = default;
};

/// The position after `event`, or Conflict naming the job's state when the machine forbids the
/// move (Invalid when kAdvance's `target` is a terminal state). `job_id` only names the job in
/// messages (0: "the job").
Result<JobPosition> NextJobPosition(const JobPosition& from, JobEvent event,
                                    JobState target = JobState::kQueued, std::int64_t job_id = 0);

/// The event that ends a job in `final_state` (completed → kComplete, failed → kFail,
/// canceled → kStop); Invalid for a state that does not end a job.
Result<JobEvent> FinishEventFor(JobState final_state);

/// The states from which `event` moves a job in position {state, held, cancel_requested} to a
/// state satisfying `to` (all allowed moves when `to` is empty), in enum order.
std::vector<JobState> JobStatesAllowing(JobEvent event, bool held, bool cancel_requested,
                                        JobState target = JobState::kQueued,
                                        const std::function<bool(const JobPosition&)>& to = {});

/// "'queued','composing'": state names quoted for an SQL IN list (fixed names, never input).
std::string QuotedJobStates(const std::vector<JobState>& states);

}  // namespace beacon::core
