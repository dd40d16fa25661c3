// The API's way into the logs (server/api/api_backend.h) for each kind of
// serve: embedded mode (the local log, actions submitted through
// LocalIngest), Kafka mode (the partition logs this member holds, actions
// produced to the input topic) and read-only mode (`keel serve --db DIR`:
// an existing log, no writer).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/mutex.h"
#include "server/api/api_backend.h"
#include "server/kafka_submit.h"
#include "server/local_ingest.h"

namespace keel::server {

// The workspaces of one log, read again only when its head moved.
class WorkspaceList {
 public:
  std::vector<std::string> Of(const EventLog& log);

 private:
  Mutex mu_;
  uint64_t listed_at_ GUARDED_BY(mu_) = UINT64_MAX;
  std::vector<std::string> workspaces_ GUARDED_BY(mu_);
};

// One log holds every workspace.
class SingleLogApiBackend : public api::ApiBackend {
 public:
  std::shared_ptr<const EventLog> LogOf(std::string_view workspace) const override;
  std::vector<std::string> Workspaces() const override;

 protected:
  // nullptr when the log is closed.
  virtual const EventLog* log() const = 0;

 private:
  mutable WorkspaceList list_;
};

class LocalApiBackend final : public SingleLogApiBackend {
 public:
  // `local` must outlive it; the API stops before `local` closes.
  explicit LocalApiBackend(LocalIngest* local) : local_(local) {}
  Result<std::optional<uint64_t>> Submit(std::string event_json) override;
  bool read_only() const override { return false; }

 private:
  const EventLog* log() const override { return local_->log(); }
  LocalIngest* local_;
};

class ReadOnlyApiBackend final : public SingleLogApiBackend {
 public:
  explicit ReadOnlyApiBackend(std::unique_ptr<EventLog> log) : log_(std::move(log)) {}
  Result<std::optional<uint64_t>> Submit(std::string) override {
    return Status::FailedPrecondition("this serve is read-only (keel serve --db): it appends nothing");
  }
  bool read_only() const override { return true; }

 private:
  const EventLog* log() const override { return log_.get(); }
  std::unique_ptr<EventLog> log_;
};

// The partition logs a Kafka-mode member holds, for the API: added on
// assignment, removed on revocation before the log closes. Removing waits
// until no request holds the log any more (holds last one request).
// Thread-safe.
class HeldLogs {
 public:
  void Add(const EventLog* log);
  // Every log, each once its holds are let go.
  void RemoveAll();
  // The log that has `workspace`, held; nullptr when none.
  std::shared_ptr<const EventLog> Find(std::string_view workspace) const;
  std::vector<std::string> Workspaces() const;

 private:
  struct Held {
    const EventLog* log;
    std::shared_ptr<WorkspaceList> list;  // its control block counts the holds
  };
  std::vector<Held> Snapshot() const;

  mutable Mutex mu_;
  std::vector<Held> logs_ GUARDED_BY(mu_);
};

class KafkaApiBackend final : public api::ApiBackend {
 public:
  // Both must outlive it.
  KafkaApiBackend(const HeldLogs* logs, KafkaSubmit* submit) : logs_(logs), submit_(submit) {}
  std::shared_ptr<const EventLog> LogOf(std::string_view workspace) const override { return logs_->Find(workspace); }
  std::vector<std::string> Workspaces() const override { return logs_->Workspaces(); }
  // Produces to the input topic; answers after the broker's ack (the seq is
  // the partition's, unknown here: nullopt).
  Result<std::optional<uint64_t>> Submit(std::string event_json) override;
  bool read_only() const override { return false; }

 private:
  const HeldLogs* logs_;
  KafkaSubmit* submit_;
};

// The outcome of one submitted event as the API reports it: its seq when
// appended or already there, else why it was refused.
Result<std::optional<uint64_t>> SubmittedSeq(const SubmitOutcome& outcome);

}  // namespace keel::server
