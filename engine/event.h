// Event: one CloudEvent as keel stores it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace keel {

// The entity an event is about, from its `subject` ("task/T-7").
struct EntityRef {
  std::string kind;
  std::string id;

  std::string ToString() const { return kind + "/" + id; }
  bool operator==(const EntityRef&) const = default;
};

// Splits "KIND/ID" on the first '/'. False when either part is empty.
bool ParseEntityRef(std::string_view text, EntityRef* ref);

// True for the kinds that have state in the `entities` column family.
bool IsEntityKind(std::string_view kind);

// The workspace of the engine's own events (ruleset.activated): no entities
// live there and no rule reacts to them.
inline constexpr std::string_view kSystemWorkspace = "system";

// Workspaces only the engine writes to; input events may not name them.
inline bool IsReservedWorkspace(std::string_view workspace) { return workspace == kSystemWorkspace; }

// An event in canonical form. `canonical` is the exact byte string that the
// hash chain covers; the other members are read out of it for convenience and
// never disagree with it.
struct Event {
  std::string id;
  std::string type;
  std::string workspace;
  std::string subject;
  EntityRef entity;      // parsed subject
  std::string time;      // RFC 3339, as given
  int64_t time_micros = 0;
  std::string actor;
  // Set on derived events only (empty on input events).
  std::string causation_id;
  std::string correlation_id;
  std::string rule_id;
  std::string ruleset_hash;

  std::string canonical;  // canonical JSON of the whole event, without seq and hash
  size_t data_offset = 0;  // where `data` sits inside `canonical`
  size_t data_length = 0;

  // The canonical text of `data` (an object).
  std::string_view data() const {
    return std::string_view(canonical).substr(data_offset, data_length);
  }
  bool is_derived() const { return !rule_id.empty(); }
};

using Hash = std::array<uint8_t, 32>;

// An event read back from the log.
struct StoredEvent {
  uint64_t seq = 0;
  Hash hash{};
  Event event;
};

std::string HashToHex(const Hash& hash);
bool HashFromHex(std::string_view hex, Hash* hash);

}  // namespace keel
