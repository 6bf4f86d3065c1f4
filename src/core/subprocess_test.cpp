// core::RunProcess, the one subprocess runner: stdin in, exit status out, errors as values,
// cancellation that kills the child's whole process group.
#include "core/subprocess.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace beacon::core {
namespace {

TEST(Subprocess, FeedsStdinAndKeepsStdoutAndTheStderrTail) {
    RunOptions o;
    o.stdin_text = std::string(200000, 'x') + "\nend\n";  // more than a pipe buffer holds
    auto r = RunProcess({"sh", "-c", "wc -c; echo oops >&2"}, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->stdout_text, "200005\n");
    EXPECT_EQ(r->stderr_tail, "oops");
    EXPECT_EQ(r->exit_code, 0);
}

TEST(Subprocess, ANonZeroExitIsAnErrorUnlessTheCallerJudgesIt) {
    RunOptions o;
    auto failed = RunProcess({"sh", "-c", "echo bad input >&2; exit 3"}, o);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kExternal);
    EXPECT_NE(failed.error().message.find("exit status 3"), std::string::npos);
    EXPECT_NE(failed.error().message.find("bad input"), std::string::npos);
    o.nonzero_exit_is_error = false;
    auto judged = RunProcess({"sh", "-c", "echo bad input >&2; exit 3"}, o);
    ASSERT_TRUE(judged.ok());
    EXPECT_EQ(judged->exit_code, 3);
    auto missing = RunProcess({"/nonexistent/beacon-tool"}, o);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
}

TEST(Subprocess, AStopKillsTheChildAndWhatItStarted) {
    const auto pid_file = std::filesystem::temp_directory_path() /
                          ("beacon-subprocess-" + std::to_string(::getpid()));
    std::filesystem::remove(pid_file);
    std::stop_source stop;
    std::thread stopper([&] {
        auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        std::error_code ec;
        while (!(std::filesystem::file_size(pid_file, ec) > 0 && !ec) &&
               std::chrono::steady_clock::now() < guard) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        stop.request_stop();
    });
    RunOptions o;
    o.stop = stop.get_token();
    o.timeout = std::chrono::seconds(60);  // hang guard
    o.stdin_text = "unread\n";
    std::string seen;
    o.on_command = [&](const std::string& line) { seen = line; };
    // The shell starts a grandchild (sleep) and reports its pid.
    auto r = RunProcess(
        {"sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $! > '" + pid_file.string() + "'; wait"},
        o);
    stopper.join();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kCanceled);
    EXPECT_EQ(seen.rfind("sh -c 'sleep 300 >/dev/null 2>&1 & echo", 0), 0u) << seen;
    pid_t grandchild = 0;
    std::ifstream(pid_file) >> grandchild;
    std::filesystem::remove(pid_file);
    ASSERT_GT(grandchild, 0);
    for (int i = 0; i < 200 && std::filesystem::exists("/proc/" + std::to_string(grandchild));
         ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // reaped by init
    }
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::string pid, comm, state;
    stat >> pid >> comm >> state;
    EXPECT_TRUE(!stat || state == "Z") << "the grandchild still runs (" << state << ")";
}

TEST(Subprocess, ShellQuoteQuotesOnlyWhatNeedsIt) {
    EXPECT_EQ(ShellQuote({"ffmpeg", "-i", "a b.mp4", "it's", ""}),
              "ffmpeg -i 'a b.mp4' 'it'\\''s' ''");
}

}  // namespace
}  // namespace beacon::core
