#include "core/job_machine.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace beacon::core {
namespace {

// One letter per state, in enum order: Queued, generating_Script, rendering_Preview,
// rendering_Final, coMposing, Done (completed), X (failed), Canceled.
constexpr const char* kLetters = "QSPFMDXC";

// An expected outcome: "409" (Conflict), "400" (Invalid), or the next position as
// <state letter><h: held, -: not><c: cancel requested, -: not>, e.g. "Ph-".
std::string Describe(const Result<JobPosition>& r) {
    if (!r.ok()) return r.error().code == ErrorCode::kConflict ? "409" : "400";
    std::string s;
    auto at = static_cast<std::size_t>(r->state);
    s += kLetters[at];
    s += r->held ? 'h' : '-';
    s += r->cancel_requested ? 'c' : '-';
    return s;
}

// For every event, one row per starting flags (held, cancel requested), one column per state
// (Q S P F M D X C). kAdvance's target is rendering_preview.
const std::map<JobEvent, std::map<std::string, std::string>>& Table() {
    static const std::map<JobEvent, std::map<std::string, std::string>> t = {
        {JobEvent::kClaim,
         {{"--", "Qh- Sh- Ph- Fh- Mh- 409 409 409"},
          {"h-", "409 409 409 409 409 409 409 409"},
          {"-c", "409 409 409 409 409 409 409 409"},
          {"hc", "409 409 409 409 409 409 409 409"}}},
        {JobEvent::kAdvance,
         {{"--", "P-- P-- P-- P-- P-- 409 409 409"},
          {"h-", "Ph- Ph- Ph- Ph- Ph- 409 409 409"},
          {"-c", "P-c P-c P-c P-c P-c 409 409 409"},
          {"hc", "Phc Phc Phc Phc Phc 409 409 409"}}},
        {JobEvent::kRequeue,
         {{"--", "Q-- Q-- Q-- Q-- Q-- 409 409 409"},
          {"h-", "Q-- Q-- Q-- Q-- Q-- 409 409 409"},
          {"-c", "Q-c Q-c Q-c Q-c Q-c 409 409 409"},
          {"hc", "Q-c Q-c Q-c Q-c Q-c 409 409 409"}}},
        {JobEvent::kComplete,
         {{"--", "D-- D-- D-- D-- D-- 409 409 409"},
          {"h-", "D-- D-- D-- D-- D-- 409 409 409"},
          {"-c", "D-c D-c D-c D-c D-c 409 409 409"},
          {"hc", "D-c D-c D-c D-c D-c 409 409 409"}}},
        {JobEvent::kFail,
         {{"--", "X-- X-- X-- X-- X-- 409 409 409"},
          {"h-", "X-- X-- X-- X-- X-- 409 409 409"},
          {"-c", "X-c X-c X-c X-c X-c 409 409 409"},
          {"hc", "X-c X-c X-c X-c X-c 409 409 409"}}},
        {JobEvent::kStop,
         {{"--", "C-- C-- C-- C-- C-- 409 409 409"},
          {"h-", "C-- C-- C-- C-- C-- 409 409 409"},
          {"-c", "C-c C-c C-c C-c C-c 409 409 409"},
          {"hc", "C-c C-c C-c C-c C-c 409 409 409"}}},
        {JobEvent::kRequestCancel,
         {{"--", "C-c C-c C-c C-c C-c 409 409 409"},
          {"h-", "Qhc Shc Phc Fhc Mhc 409 409 409"},
          {"-c", "C-c C-c C-c C-c C-c 409 409 409"},
          {"hc", "Qhc Shc Phc Fhc Mhc 409 409 409"}}},
        {JobEvent::kLeaseExpired,
         {{"--", "Q-- S-- P-- F-- M-- 409 409 409"},
          {"h-", "Q-- S-- P-- F-- M-- 409 409 409"},
          {"-c", "C-c C-c C-c C-c C-c 409 409 409"},
          {"hc", "C-c C-c C-c C-c C-c 409 409 409"}}},
        {JobEvent::kRetry,
         {{"--", "409 409 409 409 409 409 Q-- Q--"},
          {"h-", "409 409 409 409 409 409 Q-- Q--"},
          {"-c", "409 409 409 409 409 409 Q-- Q--"},
          {"hc", "409 409 409 409 409 409 Q-- Q--"}}},
        {JobEvent::kReopen,
         {{"--", "409 409 409 409 409 Q-- Q-- Q--"},
          {"h-", "409 409 409 409 409 Q-- Q-- Q--"},
          {"-c", "409 409 409 409 409 Q-- Q-- Q--"},
          {"hc", "409 409 409 409 409 Q-- Q-- Q--"}}},
    };
    return t;
}

TEST(JobMachine, EveryStateTimesEveryEventMatchesTheTable) {
    int checked = 0;
    for (JobEvent e : kAllJobEvents) {
        auto rows = Table().find(e);
        ASSERT_NE(rows, Table().end()) << "no table rows for " << ToString(e);
        ASSERT_EQ(rows->second.size(), 4u) << ToString(e);
        for (const auto& [flags, row] : rows->second) {
            std::istringstream cells(row);
            for (JobState s : kAllJobStates) {
                std::string want;
                ASSERT_TRUE(cells >> want) << ToString(e) << " " << flags << ": short row";
                JobPosition from{s, flags[0] == 'h', flags[1] == 'c'};
                auto got = NextJobPosition(from, e, JobState::kRenderingPreview);
                EXPECT_EQ(Describe(got), want)
                    << ToString(e) << " from " << ToString(s) << " (" << flags << ")";
                ++checked;
            }
            std::string extra;
            EXPECT_FALSE(cells >> extra) << ToString(e) << " " << flags << ": long row";
        }
    }
    EXPECT_EQ(checked, 10 * 4 * 8);
}

TEST(JobMachine, AStageCanOnlyMoveAJobToARunningState) {
    for (JobState target : kAllJobStates) {
        auto got =
            NextJobPosition({JobState::kGeneratingScript, true, false}, JobEvent::kAdvance, target);
        if (IsTerminal(target)) {
            ASSERT_FALSE(got.ok()) << ToString(target);
            EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument);
        } else {
            ASSERT_TRUE(got.ok()) << ToString(target);
            EXPECT_EQ(got->state, target);
            EXPECT_TRUE(got->held);
        }
    }
}

TEST(JobMachine, RefusalsNameTheJobAndItsState) {
    auto retry = NextJobPosition({JobState::kCompleted}, JobEvent::kRetry, JobState::kQueued, 7);
    ASSERT_FALSE(retry.ok());
    EXPECT_EQ(retry.error().message,
              "only failed or canceled jobs can be retried; job 7 is completed");
    auto cancel =
        NextJobPosition({JobState::kFailed}, JobEvent::kRequestCancel, JobState::kQueued, 8);
    EXPECT_EQ(cancel.error().message, "job 8 is already failed");
    auto reopen = NextJobPosition({JobState::kComposing, true}, JobEvent::kReopen);
    EXPECT_EQ(reopen.error().message, "the job is still running");
}

TEST(JobMachine, FinishEventsEndInTheirState) {
    for (JobState s : kAllJobStates) {
        auto e = FinishEventFor(s);
        if (!IsTerminal(s)) {
            EXPECT_FALSE(e.ok()) << ToString(s);
            continue;
        }
        ASSERT_TRUE(e.ok()) << ToString(s);
        auto next = NextJobPosition({JobState::kComposing, true}, *e);
        ASSERT_TRUE(next.ok());
        EXPECT_EQ(next->state, s);
    }
}

TEST(JobMachine, StatesAllowingGiveTheStorageGuards) {
    // What a claimer may take: every unfinished state, never a finished one.
    EXPECT_EQ(QuotedJobStates(JobStatesAllowing(JobEvent::kClaim, false, false)),
              "'queued','generating_script','rendering_preview','rendering_final','composing'");
    // What a dead holder's cancel request turns into canceled.
    auto to_canceled = [](const JobPosition& p) { return p.state == JobState::kCanceled; };
    EXPECT_EQ(
        JobStatesAllowing(JobEvent::kLeaseExpired, false, true, JobState::kQueued, to_canceled)
            .size(),
        5u);
    EXPECT_TRUE(
        JobStatesAllowing(JobEvent::kLeaseExpired, false, false, JobState::kQueued, to_canceled)
            .empty());
    EXPECT_EQ(QuotedJobStates(JobStatesAllowing(JobEvent::kRetry, false, false)),
              "'failed','canceled'");
    EXPECT_EQ(QuotedJobStates(JobStatesAllowing(JobEvent::kReopen, false, false)),
              "'completed','failed','canceled'");
    EXPECT_TRUE(JobStatesAllowing(JobEvent::kAdvance, true, false, JobState::kCompleted).empty());
}

}  // namespace
}  // namespace beacon::core
