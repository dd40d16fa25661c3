#include "rules/audit/explain_json.h"

namespace keel::rules {
namespace {

nlohmann::ordered_json NodeJson(const Explanation& x, size_t index, bool with_children,
                                const std::function<bool(const StoredEvent&)>& keep) {
  const ExplainedEvent& node = x.nodes[index];
  nlohmann::ordered_json out = {{"event", StoredEventToJson(node.stored)}};
  if (node.stored.event.is_derived()) {
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    for (const auto& [path, value] : node.condition_values) values[path] = value;
    out["rule"] = {{"id", node.stored.event.rule_id},
                   {"ruleset", node.stored.event.ruleset_hash},
                   {"file", node.rule_file},
                   {"lines", {node.first_line, node.last_line}},
                   {"source", node.rule_source},
                   {"condition", node.condition},
                   {"condition_values", values}};
    if (!node.note.empty()) out["rule"]["note"] = node.note;
  }
  if (with_children) {
    nlohmann::ordered_json children = nlohmann::ordered_json::array();
    for (size_t child : node.children) {
      if (keep && !keep(x.nodes[child].stored)) continue;
      children.push_back(NodeJson(x, child, true, keep));
    }
    out["children"] = std::move(children);
  }
  return out;
}

}  // namespace

nlohmann::json StoredEventToJson(const StoredEvent& stored) {
  nlohmann::json json = nlohmann::json::parse(stored.event.canonical);
  json["seq"] = stored.seq;
  json["hash"] = HashToHex(stored.hash);
  return json;
}

nlohmann::ordered_json ExplanationToJson(const Explanation& x, const std::function<bool(const StoredEvent&)>& keep) {
  nlohmann::ordered_json ancestors = nlohmann::ordered_json::array();
  for (size_t a : x.ancestors) {
    if (keep && !keep(x.nodes[a].stored)) continue;
    ancestors.push_back(NodeJson(x, a, false, keep));
  }
  return {{"ancestors", ancestors}, {"explained", NodeJson(x, x.event, true, keep)}};
}

}  // namespace keel::rules
