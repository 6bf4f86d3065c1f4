#include "jobs/run_end.hpp"

#include <gtest/gtest.h>

namespace beacon::jobs {
namespace {

using core::Error;
using core::JobEvent;

TEST(RunEnd, EachEndOfARunIsOneEvent) {
    EXPECT_EQ(EventForRunEnd({}), JobEvent::kComplete);
    EXPECT_EQ(EventForRunEnd({.stopped = true, .cancel_requested = true}), JobEvent::kStop);
    EXPECT_EQ(EventForRunEnd({.stopped = true}), JobEvent::kRequeue) << "shutdown: resumes later";
    EXPECT_EQ(EventForRunEnd({.error = Error::Unavailable("ollama down"), .attempts = 1}),
              JobEvent::kRequeue);
    EXPECT_EQ(EventForRunEnd(
                  {.error = Error::Unavailable("ollama down"), .attempts = 5, .max_attempts = 5}),
              JobEvent::kFail)
        << "no attempts left";
    EXPECT_EQ(EventForRunEnd({.error = Error::Invalid("bad script"), .attempts = 1}),
              JobEvent::kFail)
        << "not retryable";
    // A full disk is never retried into, even when the error says retryable.
    Error full = Error::Unavailable("write frame.png: No space left on device");
    ASSERT_TRUE(full.retryable);
    EXPECT_EQ(EventForRunEnd({.error = full, .attempts = 1}), JobEvent::kFail);
}

TEST(RunEnd, TheMachineTakesEveryEndOfARunningJob) {
    // Whatever stage the run was in, the machine accepts the worker's end and names the state.
    for (auto end : {RunEnd{}, RunEnd{.stopped = true, .cancel_requested = true},
                     RunEnd{.error = Error::Invalid("x")}}) {
        auto next = core::NextJobPosition({core::JobState::kRenderingFinal, true, false},
                                          EventForRunEnd(end));
        ASSERT_TRUE(next.ok());
        EXPECT_TRUE(core::IsTerminal(next->state));
        EXPECT_FALSE(next->held);
    }
}

}  // namespace
}  // namespace beacon::jobs
