#include "engine/log/projection.h"

#include <charconv>

#include "engine/log_format.h"
#include "engine/state/reducers.h"
#include "engine/json_time.h"

namespace keel {

Result<AsOf> ParseAsOf(std::string_view text) {
  AsOf as_of;
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec == std::errc() && end == text.data() + text.size()) {
    as_of.seq = seq;
    return as_of;
  }
  auto micros = ParseRfc3339Micros(text);
  if (!micros.ok()) {
    return Status::InvalidArgument("--as-of '" + std::string(text) +
                                   "' is neither a sequence number nor an RFC 3339 time");
  }
  as_of.time_micros = *micros;
  return as_of;
}

Result<std::optional<EntityState>> StateAsOf(const EventLog& log, std::string_view workspace,
                                             const EntityRef& entity, const AsOf& as_of,
                                             const FoldVisitor& after_each) {
  EntityState state;
  Status fold_error;
  Status scanned = log.ScanStream(workspace, entity, [&](uint64_t seq) {
    if (seq > as_of.seq) return false;
    auto stored = log.Read(seq);
    if (!stored.ok()) {
      fold_error = stored.status();
      return false;
    }
    const Event& event = stored->event;
    if (as_of.time_micros && event.time_micros > *as_of.time_micros) return true;
    if (!ChangesEntityState(event.type)) return true;
    fold_error = ApplyEvent(event, &state);
    if (fold_error.ok() && after_each) after_each(event, state);
    return fold_error.ok();
  });
  KEEL_RETURN_IF_ERROR(scanned);
  KEEL_RETURN_IF_ERROR(fold_error);
  if (state.empty()) return std::optional<EntityState>();
  return std::optional<EntityState>(std::move(state));
}

Result<std::map<std::string, EntityState>> RebuildEntities(const EventLog& log) {
  std::map<std::string, EntityState> states;
  Status fold_error;
  KEEL_RETURN_IF_ERROR(log.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    const Event& event = stored.event;
    if (!ChangesEntityState(event.type)) return true;
    EntityState& state = states[log_format::EntityKey(event.workspace, event.entity.kind, event.entity.id)];
    fold_error = ApplyEvent(event, &state).WithContext("seq " + std::to_string(stored.seq));
    return fold_error.ok();
  }));
  KEEL_RETURN_IF_ERROR(fold_error);
  return states;
}

}  // namespace keel
