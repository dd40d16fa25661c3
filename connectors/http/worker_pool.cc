#include "connectors/http/worker_pool.h"

#include <chrono>

namespace keel::http {

WorkerPool::WorkerPool(size_t workers, size_t max_queued, const std::atomic<bool>* stopping)
    : max_queued_(max_queued), stopping_(stopping) {
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> task) {
  {
    std::unique_lock lock(mutex_);
    // Waits in slices so a stop that begins meanwhile is seen.
    while (tasks_.size() >= max_queued_ && !stopping_->load()) {
      taken_.wait_for(lock, std::chrono::milliseconds(100));
    }
    if (tasks_.size() < max_queued_) {
      tasks_.push_back(std::move(task));
      queued_.notify_one();
      return;
    }
  }
  task();
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  queued_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void WorkerPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return !tasks_.empty() || shut_down_; });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    taken_.notify_one();
    task();
  }
}

}  // namespace keel::http
