#include "engine/ingest.h"

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

Result<std::vector<AppendResult>> Ingestor::IngestGroup(std::span<const IngestItem> items) {
  std::vector<AppendResult> results(items.size());
  std::vector<AppendRequest> group;
  std::vector<size_t> item_of_request;  // group index -> item index
  group.reserve(items.size());
  item_of_request.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto event = decoder_.DecodeInput(items[i].bytes);
    if (!event.ok()) {
      results[i] = {AppendOutcome::kRejected, 0, event.status()};
      continue;
    }
    group.push_back({std::move(event).value(), std::nullopt});
    item_of_request.push_back(i);
  }
  if (group.empty()) return results;
  KEEL_ASSIGN_OR_RETURN(auto appended, log_->Append(std::move(group)));
  for (size_t r = 0; r < appended.size(); ++r) results[item_of_request[r]] = std::move(appended[r]);
  return results;
}

}  // namespace keel
