#include "server/api_backends.h"

#include <algorithm>
#include <future>
#include <set>
#include <thread>

namespace keel::server {
namespace {

bool Holds(const std::vector<std::string>& sorted, std::string_view workspace) {
  return std::binary_search(sorted.begin(), sorted.end(), workspace, std::less<>());
}

}  // namespace

std::vector<std::string> WorkspaceList::Of(const EventLog& log) {
  uint64_t head = log.Head().seq;
  MutexLock lock(&mu_);
  if (listed_at_ != head) {
    auto listed = log.Workspaces();
    if (!listed.ok()) return workspaces_;
    workspaces_.clear();
    for (std::string& workspace : *listed) {
      if (!IsReservedWorkspace(workspace)) workspaces_.push_back(std::move(workspace));
    }
    listed_at_ = head;
  }
  return workspaces_;
}

std::vector<std::string> SingleLogApiBackend::Workspaces() const {
  const EventLog* current = log();
  return current == nullptr ? std::vector<std::string>() : list_.Of(*current);
}

std::shared_ptr<const EventLog> SingleLogApiBackend::LogOf(std::string_view workspace) const {
  const EventLog* current = log();
  if (current == nullptr || !Holds(list_.Of(*current), workspace)) return nullptr;
  return std::shared_ptr<const EventLog>(std::shared_ptr<const EventLog>(), current);  // lives as long as the serve
}

Result<std::optional<uint64_t>> SubmittedSeq(const SubmitOutcome& outcome) {
  if (!outcome.ok()) return outcome.status();
  if (outcome->size() != 1) {
    return Status::Internal("one event was submitted, " + std::to_string(outcome->size()) + " answered");
  }
  const AppendResult& result = outcome->front();
  if (result.outcome == AppendOutcome::kRejected) {
    return result.error.ok() ? Status::InvalidArgument("the event was refused") : result.error;
  }
  if (result.seq == 0) return std::optional<uint64_t>();  // produced: the partition's writer numbers it
  return std::optional<uint64_t>(result.seq);
}

Result<std::optional<uint64_t>> LocalApiBackend::Submit(std::string event_json) {
  std::vector<std::string> events;
  events.push_back(std::move(event_json));
  return SubmittedSeq(local_->Submit(std::move(events)).get());
}

Result<std::optional<uint64_t>> KafkaApiBackend::Submit(std::string event_json) {
  auto answered = std::make_shared<std::promise<SubmitOutcome>>();
  std::future<SubmitOutcome> outcome = answered->get_future();
  std::vector<std::string> events;
  events.push_back(std::move(event_json));
  submit_->Submit(std::move(events), [answered](SubmitOutcome result) { answered->set_value(std::move(result)); });
  return SubmittedSeq(outcome.get());
}

void HeldLogs::Add(const EventLog* log) {
  MutexLock lock(&mu_);
  logs_.push_back({log, std::make_shared<WorkspaceList>()});
}

void HeldLogs::RemoveAll() {
  std::vector<std::weak_ptr<WorkspaceList>> released;
  {
    MutexLock lock(&mu_);
    for (Held& held : logs_) released.push_back(held.list);
    logs_.clear();
  }
  // A request holds a log for one answer (a stream for one round).
  for (const auto& hold : released) {
    while (!hold.expired()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::vector<HeldLogs::Held> HeldLogs::Snapshot() const {
  MutexLock lock(&mu_);
  return logs_;
}

std::shared_ptr<const EventLog> HeldLogs::Find(std::string_view workspace) const {
  for (const Held& held : Snapshot()) {
    if (Holds(held.list->Of(*held.log), workspace)) return std::shared_ptr<const EventLog>(held.list, held.log);
  }
  return nullptr;
}

std::vector<std::string> HeldLogs::Workspaces() const {
  std::set<std::string> all;
  for (const Held& held : Snapshot()) {
    for (std::string& workspace : held.list->Of(*held.log)) all.insert(std::move(workspace));
  }
  return std::vector<std::string>(all.begin(), all.end());
}

}  // namespace keel::server
