// The threads that serve connections, as cpp-httplib's TaskQueue: a fixed
// number of workers and a bounded queue of accepted connections. When the
// queue is full the accepting thread waits, so further connections wait in
// the kernel's listen queue instead of in memory without bound.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "engine/mutex.h"
#include "engine/thread_annotations.h"

namespace keel::http {

class WorkerPool final : public httplib::TaskQueue {
 public:
  // `stopping` must outlive the pool: once it is true, a connection that
  // finds the queue full runs at once on the caller's thread (where it sees
  // the stop and closes), so stopping never waits for a free slot.
  WorkerPool(size_t workers, size_t max_queued, const std::atomic<bool>* stopping);
  ~WorkerPool() override;

  void enqueue(std::function<void()> task) override;
  void shutdown() override;  // runs what is queued, then joins the workers
  // Connections accepted and waiting for a worker.
  size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }
  // Wakes an enqueue waiting for a free slot, to see that `stopping` is set.
  void WakeForStop();

 private:
  void Work();

  size_t max_queued_;
  const std::atomic<bool>* stopping_;
  Mutex mutex_;
  CondVar queued_;  // a task came, or shutdown
  CondVar taken_;   // a slot came free, or a stop began
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mutex_);
  std::atomic<size_t> waiting_{0};  // tasks_.size(), read without the lock
  bool shut_down_ GUARDED_BY(mutex_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace keel::http
