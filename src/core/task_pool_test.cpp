// TaskPool / TaskGroup: bounded, named threads; every task runs; a group waits for its own.
#include "core/task_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

namespace beacon::core {
namespace {

int ThreadsNow() {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
}

std::set<std::string> ThreadNames() {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream f(e.path() / "comm");
        std::string name;
        std::getline(f, name);
        names.insert(name);
    }
    return names;
}

TEST(TaskPool, RunsEveryTaskOnItsOwnFixedNamedThreadsOnly) {
    const int before = ThreadsNow();
    std::atomic<int> ran{0};
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    int during = 0;
    {
        TaskPool pool("paint", 3);
        EXPECT_EQ(pool.size(), 3);
        EXPECT_EQ(ThreadsNow(), before + 3);
        EXPECT_TRUE(ThreadNames().count("paint-0"));
        EXPECT_TRUE(ThreadNames().count("paint-2"));
        TaskGroup group;
        for (int i = 0; i < 60; ++i) {
            group.Post(pool, [&] {
                int now = ++running;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
                --running;
                ++ran;
            });
        }
        during = ThreadsNow();
        group.Wait();
        EXPECT_EQ(ran.load(), 60);
    }
    EXPECT_EQ(during, before + 3);  // 60 tasks queued: still the pool's 3 threads
    EXPECT_LE(most.load(), 3);
    EXPECT_GE(most.load(), 2);  // they did run side by side
    EXPECT_EQ(ThreadsNow(), before);  // joined
}

TEST(TaskPool, DestructorRunsWhatIsStillQueued) {
    std::atomic<int> ran{0};
    {
        TaskPool pool("drain", 1);
        for (int i = 0; i < 20; ++i) {
            pool.Post([&] {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                ++ran;
            });
        }
    }
    EXPECT_EQ(ran.load(), 20);
}

TEST(TaskGroup, WaitsForItsOwnTasksEvenWhenOneThrows) {
    TaskPool pool("io", 2);
    std::atomic<int> ran{0};
    TaskGroup group;
    group.Post(pool, [] { throw std::runtime_error("boom"); });
    for (int i = 0; i < 10; ++i) {
        group.Post(pool, [&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
            ++ran;
        });
    }
    group.Wait();
    EXPECT_EQ(ran.load(), 10);
    // The pool still works after a task threw.
    TaskGroup again;
    again.Post(pool, [&] { ++ran; });
    again.Wait();
    EXPECT_EQ(ran.load(), 11);
}

}  // namespace
}  // namespace beacon::core
