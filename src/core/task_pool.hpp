#pragma once
/// Bounded thread pools (userver's task processors, in small): the app owns one pool for
/// blocking service calls (I/O) and one sized to the cores for painting and encoding (CPU);
/// work posted to them never starts a thread of its own.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beacon::core {

/// A fixed number of named threads running posted tasks in FIFO order. It never runs more
/// than `threads` tasks at once and never starts another thread. Thread-safe. The destructor
/// runs the tasks still queued, then joins. A task must not wait for a later task of the same
/// pool (with every thread waiting, nothing would run it).
class TaskPool {
public:
    /// `name` (at most 15 characters show) names the threads "<name>-<i>"; `threads` >= 1.
    TaskPool(std::string name, int threads);
    ~TaskPool();
    TaskPool(const TaskPool&) = delete;
    TaskPool& operator=(const TaskPool&) = delete;

    /// Queues `task`; an exception it throws is swallowed (tasks report through their own state).
    void Post(std::function<void()> task);
    int size() const { return static_cast<int>(threads_.size()); }
    const std::string& name() const { return name_; }

    /// std::thread::hardware_concurrency(), at least 1.
    static int Cores();

private:
    void Loop();

    std::string name_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;  // last: started after the queue exists, joined first
};

/// Tasks posted through one group, so their poster can wait for all of them (e.g. a stage whose
/// tasks use its stack). Thread-safe. The destructor waits too.
class TaskGroup {
public:
    TaskGroup() = default;
    ~TaskGroup() { Wait(); }
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    void Post(TaskPool& pool, std::function<void()> task);
    /// Returns once every task posted so far has finished.
    void Wait();

private:
    std::mutex mu_;
    std::condition_variable cv_;
    int pending_ = 0;
};

/// The app's two pools, passed to whoever runs blocking or CPU-heavy work.
struct TaskPools {
    TaskPool& io;   // blocking calls to services (engines over HTTP, the object store)
    TaskPool& cpu;  // painting, encoding: sized to the cores
};

}  // namespace beacon::core
