#include "core/task_pool.hpp"

#include <pthread.h>

#include <algorithm>

namespace beacon::core {

TaskPool::TaskPool(std::string name, int threads) : name_(std::move(name)) {
    const int n = std::max(1, threads);
    threads_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        threads_.emplace_back([this] { Loop(); });
        const std::string thread_name = (name_ + "-" + std::to_string(i)).substr(0, 15);
        pthread_setname_np(threads_.back().native_handle(), thread_name.c_str());
    }
}

TaskPool::~TaskPool() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
}

void TaskPool::Post(std::function<void()> task) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(task));
    }
    cv_.notify_one();
}

int TaskPool::Cores() {
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void TaskPool::Loop() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            task();
        } catch (...) {  // NOLINT(bugprone-empty-catch): documented: tasks report themselves
        }
    }
}

void TaskGroup::Post(TaskPool& pool, std::function<void()> task) {
    {
        std::lock_guard lock(mu_);
        ++pending_;
    }
    pool.Post([this, task = std::move(task)] {
        try {
            task();
        } catch (...) {  // NOLINT(bugprone-empty-catch): counted as finished all the same
        }
        std::lock_guard lock(mu_);
        if (--pending_ == 0) cv_.notify_all();
    });
}

void TaskGroup::Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return pending_ == 0; });
}

}  // namespace beacon::core
