#include "engine/ingest/ingest.h"

#include <optional>

namespace keel {

void IngestCounts::Add(const AppendResult& result) {
  switch (result.outcome) {
    case AppendOutcome::kAppended: ++appended; break;
    case AppendOutcome::kDuplicate: ++duplicates; break;
    case AppendOutcome::kRejected: ++rejected; break;
  }
}

Ingestor::Ingestor(EventLog* log, const SchemaRegistry* schemas, DecodeOptions options)
    : log_(log), decoder_(schemas, options) {}

Ingestor::~Ingestor() {
  if (in_flight_.valid()) in_flight_.wait();
}

Result<std::vector<AppendResult>> Ingestor::IngestGroup(std::span<const IngestItem> items,
                                                       std::vector<MetaPut> meta) {
  if (in_flight_.valid()) return Status::FailedPrecondition("a submitted group is still pending; call Finish");
  DecodedGroup group = Decode(&decoder_, items);
  group.meta = std::move(meta);
  return Append(std::move(group));
}

Result<std::vector<AppendResult>> Ingestor::Submit(std::span<const IngestItem> items, std::vector<MetaPut> meta) {
  std::optional<DecodedGroup> previous;
  if (in_flight_.valid()) previous = in_flight_.get();
  // The helper owns decoder_ until its future is collected; the caller's
  // thread never decodes while one is in flight (IngestGroup refuses).
  in_flight_ = std::async(std::launch::async, [this, items, meta = std::move(meta)]() mutable {
    DecodedGroup group = Decode(&decoder_, items);
    group.meta = std::move(meta);
    return group;
  });
  if (!previous) return std::vector<AppendResult>();
  Result<std::vector<AppendResult>> appended = Append(std::move(*previous));
  // A caller that stops on the error frees the buffer `items` points into:
  // the group just submitted is decoded to the end and dropped, so that
  // nothing reads it afterwards (ASan found the helper reading freed items
  // after a full disk stopped `keel ingest`).
  if (!appended.ok()) in_flight_.get();
  return appended;
}

Result<std::vector<AppendResult>> Ingestor::Finish() {
  if (!in_flight_.valid()) return std::vector<AppendResult>();
  return Append(in_flight_.get());
}

Ingestor::DecodedGroup Ingestor::Decode(EventDecoder* decoder, std::span<const IngestItem> items) {
  DecodedGroup group;
  group.results.resize(items.size());
  group.requests.reserve(items.size());
  group.item_of_request.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    // Decoded in place: a refused event's request is taken back.
    Event& event = group.requests.emplace_back().event;
    Status decoded = decoder->DecodeInputInto(items[i].bytes, &event);
    if (decoded.ok() && !items[i].required_workspace.empty() && event.workspace != items[i].required_workspace) {
      decoded = Status::InvalidArgument("the event's workspace '" + event.workspace + "' is not its message key '" +
                                        std::string(items[i].required_workspace) + "'");
    }
    if (!decoded.ok()) {
      group.results[i] = {AppendOutcome::kRejected, 0, std::move(decoded)};
      group.requests.pop_back();
      continue;
    }
    group.item_of_request.push_back(i);
  }
  return group;
}

Result<std::vector<AppendResult>> Ingestor::Append(DecodedGroup group) {
  if (group.requests.empty() && group.meta.empty()) return std::move(group.results);
  KEEL_ASSIGN_OR_RETURN(auto appended, log_->Append(std::move(group.requests), std::move(group.meta)));
  for (size_t r = 0; r < appended.size(); ++r) group.results[group.item_of_request[r]] = std::move(appended[r]);
  return std::move(group.results);
}

}  // namespace keel
