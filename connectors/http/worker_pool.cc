#include "connectors/http/worker_pool.h"

namespace keel::http {

WorkerPool::WorkerPool(size_t workers, size_t max_queued, const std::atomic<bool>* stopping)
    : max_queued_(max_queued), stopping_(stopping) {
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> task) {
  {
    MutexLock lock(&mutex_);
    while (tasks_.size() >= max_queued_ && !stopping_->load()) taken_.Wait(&mutex_);
    if (tasks_.size() < max_queued_) {
      tasks_.push_back(std::move(task));
      waiting_.store(tasks_.size(), std::memory_order_relaxed);
      queued_.Signal();
      return;
    }
  }
  task();
}

void WorkerPool::WakeForStop() {
  MutexLock lock(&mutex_);
  taken_.SignalAll();
}

void WorkerPool::shutdown() {
  {
    MutexLock lock(&mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    queued_.SignalAll();
  }
  for (std::thread& worker : workers_) worker.join();
}

void WorkerPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(&mutex_);
      while (tasks_.empty() && !shut_down_) queued_.Wait(&mutex_);
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      waiting_.store(tasks_.size(), std::memory_order_relaxed);
      taken_.Signal();
    }
    task();
  }
}

}  // namespace keel::http
