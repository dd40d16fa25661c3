// LoadYaml: the one way a YAML file from outside keel (rules, templates,
// rule tests, mappings, serve.yaml) is parsed. yaml-cpp shares an anchored
// node among its aliases, so parsing is linear, but every walk over the tree
// visits an aliased node once per alias: nine aliases of nine aliases, ten
// levels deep, are 10^9 visits in a 200-byte file ("billion laughs"). LoadYaml
// counts the nodes aliases add when expanded, in one pass over the parser's
// events, and refuses the file past a bound, before anyone walks it (the
// nodes written out cost no more to walk than the text cost to read). It also refuses an alias inside the node it names (a cycle, which
// a walk would follow forever) and, when asked, duplicate keys.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/status.h"

namespace keel {

// The most nodes the aliases of one YAML file may add once expanded. Sharing
// a list of actions among rules adds a few hundred.
inline constexpr size_t kMaxYamlExpandedNodes = 100'000;

struct YamlLimits {
  // Nodes (scalars, nulls, lists, mappings) of all documents that aliases
  // add, each alias counted as a copy of the node it names.
  size_t max_expanded_nodes = kMaxYamlExpandedNodes;
  // A key written twice in one mapping, compared as text (yaml-cpp keeps
  // both, and a lookup then sees only one of them).
  bool refuse_duplicate_keys = true;
};

// A place in the text, 1-based; line 0 when none is known.
struct YamlPlace {
  int line = 0;
  int col = 0;
};

// Every document of `text`. InvalidArgument when the text is not YAML
// (yaml-cpp's message), its aliases add more than `limits.max_expanded_nodes`
// nodes, it has an
// alias inside its own anchor, or a duplicate key; the message says what,
// and `*where` (when given) where: the alias or node that went past the
// bound, the alias, the second key. Never throws.
Result<std::vector<YAML::Node>> LoadYaml(std::string_view text, const YamlLimits& limits = {},
                                         YamlPlace* where = nullptr);

// "file:line:col: message" for a refusal of LoadYaml ("file: message" when
// the place is unknown).
Status YamlRefusal(std::string_view file, const Status& refused, const YamlPlace& where);

}  // namespace keel
