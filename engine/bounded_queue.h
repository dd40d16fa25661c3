// BoundedQueue: a first-in first-out hand-over of batches between one
// producer thread and one consumer thread, either of which may stop early.
// Safe for concurrent use by one producer and one consumer.
#pragma once

#include <cstddef>
#include <deque>
#include <utility>

#include "engine/mutex.h"
#include "engine/status.h"

namespace keel {

template <typename Batch>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Blocks while the queue is full; false when the consumer has gone.
  bool Push(Batch batch) {
    MutexLock lock(&mu_);
    while (batches_.size() >= capacity_ && !abandoned_) has_room_.Wait(&mu_);
    if (abandoned_) return false;
    batches_.push_back(std::move(batch));
    has_batch_.Signal();
    return true;
  }
  // Push without waiting: false, and `batch` untouched, when the queue is full.
  bool TryPush(Batch& batch) {
    MutexLock lock(&mu_);
    if (batches_.size() >= capacity_ || abandoned_) return false;
    batches_.push_back(std::move(batch));
    has_batch_.Signal();
    return true;
  }
  // The producer is done; `status` says why (OK at the end of its input).
  void Close(Status status = Status::OK()) {
    MutexLock lock(&mu_);
    closed_ = true;
    status_ = std::move(status);
    has_batch_.Signal();
  }
  // The consumer is done: a blocked or later Push returns false.
  void Abandon() {
    MutexLock lock(&mu_);
    abandoned_ = true;
    has_room_.Signal();
  }
  // False when the queue is closed and empty.
  bool Pop(Batch* batch) {
    MutexLock lock(&mu_);
    while (batches_.empty() && !closed_) has_batch_.Wait(&mu_);
    if (batches_.empty()) return false;
    *batch = std::move(batches_.front());
    batches_.pop_front();
    has_room_.Signal();
    return true;
  }
  // Pop without waiting: false when the queue is empty.
  bool TryPop(Batch* batch) {
    MutexLock lock(&mu_);
    if (batches_.empty()) return false;
    *batch = std::move(batches_.front());
    batches_.pop_front();
    has_room_.Signal();
    return true;
  }
  Status status() const {
    MutexLock lock(&mu_);
    return status_;
  }

 private:
  const size_t capacity_;
  mutable Mutex mu_;
  CondVar has_room_, has_batch_;
  std::deque<Batch> batches_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
  bool abandoned_ GUARDED_BY(mu_) = false;
  Status status_ GUARDED_BY(mu_);
};

}  // namespace keel
