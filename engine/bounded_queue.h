// BoundedQueue: a first-in first-out hand-over of batches between one
// producer thread and one consumer thread, either of which may stop early.
// Safe for concurrent use by one producer and one consumer.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

#include "engine/status.h"

namespace keel {

template <typename Batch>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Blocks while the queue is full; false when the consumer has gone.
  bool Push(Batch batch) {
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [&] { return batches_.size() < capacity_ || abandoned_; });
    if (abandoned_) return false;
    batches_.push_back(std::move(batch));
    has_batch_.notify_one();
    return true;
  }
  // Push without waiting: false, and `batch` untouched, when the queue is full.
  bool TryPush(Batch& batch) {
    std::lock_guard lock(mu_);
    if (batches_.size() >= capacity_ || abandoned_) return false;
    batches_.push_back(std::move(batch));
    has_batch_.notify_one();
    return true;
  }
  // The producer is done; `status` says why (OK at the end of its input).
  void Close(Status status = Status::OK()) {
    std::lock_guard lock(mu_);
    closed_ = true;
    status_ = std::move(status);
    has_batch_.notify_one();
  }
  // The consumer is done: a blocked or later Push returns false.
  void Abandon() {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    has_room_.notify_one();
  }
  // False when the queue is closed and empty.
  bool Pop(Batch* batch) {
    std::unique_lock lock(mu_);
    has_batch_.wait(lock, [&] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return false;
    *batch = std::move(batches_.front());
    batches_.pop_front();
    has_room_.notify_one();
    return true;
  }
  // Pop without waiting: false when the queue is empty.
  bool TryPop(Batch* batch) {
    std::lock_guard lock(mu_);
    if (batches_.empty()) return false;
    *batch = std::move(batches_.front());
    batches_.pop_front();
    has_room_.notify_one();
    return true;
  }
  Status status() const {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable has_room_, has_batch_;
  std::deque<Batch> batches_;
  bool closed_ = false;
  bool abandoned_ = false;
  Status status_;
};

}  // namespace keel
