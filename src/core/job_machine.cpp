#include "core/job_machine.hpp"

namespace beacon::core {

std::string_view ToString(JobEvent e) {
    switch (e) {
        case JobEvent::kClaim:
            return "claim";
        case JobEvent::kAdvance:
            return "advance";
        case JobEvent::kRequeue:
            return "requeue";
        case JobEvent::kComplete:
            return "complete";
        case JobEvent::kFail:
            return "fail";
        case JobEvent::kStop:
            return "stop";
        case JobEvent::kRequestCancel:
            return "request_cancel";
        case JobEvent::kLeaseExpired:
            return "lease_expired";
        case JobEvent::kRetry:
            return "retry";
        case JobEvent::kReopen:
            return "reopen";
    }
    return "unknown";
}

Result<JobPosition> NextJobPosition(const JobPosition& from, JobEvent event, JobState target,
                                    std::int64_t job_id) {
    const std::string who = job_id ? "job " + std::to_string(job_id) : std::string("the job");
    const std::string state(ToString(from.state));
    const bool finished = IsTerminal(from.state);
    auto already = [&] { return Error::Conflict(who + " is already " + state); };
    JobPosition to = from;
    switch (event) {
        case JobEvent::kClaim:
            if (finished) return already();
            if (from.held) return Error::Conflict(who + " is held by another worker");
            if (from.cancel_requested) return Error::Conflict(who + " is being canceled");
            to.held = true;
            return to;
        case JobEvent::kAdvance:
            if (IsTerminal(target)) {
                return Error::Invalid("a stage cannot move a job to " +
                                      std::string(ToString(target)));
            }
            if (finished) return already();
            to.state = target;
            return to;
        case JobEvent::kRequeue:
            if (finished) return already();
            to.state = JobState::kQueued;
            to.held = false;
            return to;
        case JobEvent::kComplete:
        case JobEvent::kFail:
        case JobEvent::kStop:
            if (finished) return already();
            to.state = event == JobEvent::kComplete ? JobState::kCompleted
                       : event == JobEvent::kFail   ? JobState::kFailed
                                                    : JobState::kCanceled;
            to.held = false;
            return to;
        case JobEvent::kRequestCancel:
            if (finished) return already();
            // A job nobody holds is canceled at once; a held one is flagged for its holder.
            to.cancel_requested = true;
            if (!from.held) to.state = JobState::kCanceled;
            return to;
        case JobEvent::kLeaseExpired:
            if (finished) return already();
            // The holder is gone: a flagged job is canceled, any other waits for a claimer.
            to.held = false;
            if (from.cancel_requested) to.state = JobState::kCanceled;
            return to;
        case JobEvent::kRetry:
            if (from.state != JobState::kFailed && from.state != JobState::kCanceled) {
                return Error::Conflict("only failed or canceled jobs can be retried; " + who +
                                       " is " + state);
            }
            return JobPosition{JobState::kQueued, false, false};
        case JobEvent::kReopen:
            if (!finished) return Error::Conflict(who + " is still running");
            return JobPosition{JobState::kQueued, false, false};
    }
    return Error::Internal("unknown job event");
}

Result<JobEvent> FinishEventFor(JobState final_state) {
    switch (final_state) {
        case JobState::kCompleted:
            return JobEvent::kComplete;
        case JobState::kFailed:
            return JobEvent::kFail;
        case JobState::kCanceled:
            return JobEvent::kStop;
        default:
            return Error::Invalid("a job cannot finish as " + std::string(ToString(final_state)));
    }
}

std::vector<JobState> JobStatesAllowing(JobEvent event, bool held, bool cancel_requested,
                                        JobState target,
                                        const std::function<bool(const JobPosition&)>& to) {
    std::vector<JobState> out;
    for (JobState s : kAllJobStates) {
        auto next = NextJobPosition({s, held, cancel_requested}, event, target);
        if (next.ok() && (!to || to(*next))) out.push_back(s);
    }
    return out;
}

std::string QuotedJobStates(const std::vector<JobState>& states) {
    std::string out;
    for (JobState s : states) {
        if (!out.empty()) out += ',';
        out += '\'';
        out += ToString(s);
        out += '\'';
    }
    return out;
}

}  // namespace beacon::core
