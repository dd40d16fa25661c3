// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable as
// clang's -Wthread-safety sees them. libstdc++'s std::mutex carries no
// annotations, so a member marked GUARDED_BY(a std::mutex) is checked
// against nothing; one guarded by a Mutex is checked at every use.
//
//   mutable Mutex mu_;
//   LogHead head_ GUARDED_BY(mu_);
//   LogHead Head() const {
//     MutexLock lock(&mu_);
//     return head_;
//   }
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "engine/thread_annotations.h"

namespace keel {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` from construction to the end of the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Waits for a change another thread makes under the same Mutex. Write the
// wait as a loop (`while (!ready_) cv_.Wait(&mu_);`) rather than with a
// predicate: the analysis checks the loop's reads against the lock held, and
// cannot see into a lambda.
class CondVar {
 public:
  // Lets go of `mu` while it waits, holds it again on return; may wake
  // without a Signal, so the caller tests its condition again.
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller's MutexLock lets go of it
  }
  // The same, waking after `timeout` at the latest (a poll, a backoff).
  void WaitFor(Mutex* mu, std::chrono::microseconds timeout) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait_for(lock, timeout);
    lock.release();
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace keel
