// The event types a rule set can name: the schemas' (built in) and the custom
// ones it declares; and the `on` patterns that select among them. Internal to
// rules/.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace keel::rules {

// An `on` pattern: an event type, or a glob in which `*` matches any run of
// characters (dots included): `task.*`, `*.status_changed`, `*`.
bool IsGlob(std::string_view pattern);
bool GlobMatches(std::string_view pattern, std::string_view type);

// The entity kinds of keel's events (DESIGN.md).
inline constexpr std::string_view kEntityKinds[] = {"goal", "key_result", "kpi", "initiative", "task", "approval"};
bool IsEntityKind(std::string_view kind);
// The entity kind a type's name starts with ("task" for task.created), or "".
std::string_view KindOfType(std::string_view type);

// ^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$, as the envelope requires.
bool IsValidEventTypeName(std::string_view type);

class EventTypeCatalog {
 public:
  explicit EventTypeCatalog(std::vector<std::string> builtin);

  void AddCustom(const std::string& type);
  bool Has(std::string_view type) const;
  bool IsBuiltin(std::string_view type) const;
  bool IsCustom(std::string_view type) const;
  // Every type, sorted.
  const std::vector<std::string>& all() const { return all_; }
  // The types `pattern` selects, sorted.
  std::vector<std::string> Match(std::string_view pattern) const;

 private:
  std::set<std::string, std::less<>> builtin_;
  std::set<std::string, std::less<>> custom_;
  std::vector<std::string> all_;
};

}  // namespace keel::rules
