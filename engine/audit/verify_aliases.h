// The aliases part of `VerifyLog` (engine/audit/verify.h), private to it:
// the `alias/` keys of `meta` must be exactly those a rebuild from the log's
// external links gives (engine/log/aliases.h), and every input event must
// have been resolved as the aliases before it say: about the linked keel
// entity, with `resolvedfrom` naming the subject it came with, when an alias
// of its kind named it; as it came otherwise. Derived events are never
// resolved.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/log/event_log.h"

namespace keel {

class AliasVerifier {
 public:
  // Problems are appended to `*problems`, each naming its seq or key.
  AliasVerifier(const EventLog& log, std::vector<std::string>* problems);

  // Called with every decoded event, in log order.
  void OnEvent(uint64_t seq, const Event& event);
  // Called after the last event. Returns an error only when the log cannot be read.
  Status Finish();

 private:
  void Problem(std::string text) { problems_.push_back(std::move(text)); }
  void CheckResolution(uint64_t seq, const Event& event);

  const EventLog& log_;
  std::vector<std::string>& problems_;
  // The aliases after the events so far: meta key -> KIND/ID.
  std::map<std::string, std::string, std::less<>> rebuilt_;
};

}  // namespace keel
