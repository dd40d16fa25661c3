#include "rules/load/rule_graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <set>

#include "rules/load/edge_guards.h"

namespace keel::rules {

namespace {

bool ScopesOverlap(const Rule& a, const Rule& b) {
  if (a.scope.empty() || b.scope.empty()) return true;
  std::vector<std::string> common;
  std::set_intersection(a.scope.begin(), a.scope.end(), b.scope.begin(), b.scope.end(), std::back_inserter(common));
  return !common.empty();
}

// Tarjan's strongly connected components over the rule-to-rule edges.
std::vector<std::vector<size_t>> Components(size_t n, const std::vector<std::vector<size_t>>& next) {
  std::vector<int> index(n, -1), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<size_t> stack;
  std::vector<std::vector<size_t>> out;
  int counter = 0;
  std::function<void(size_t)> connect = [&](size_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
    for (size_t w : next[v]) {
      if (index[w] < 0) {
        connect(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v]) return;
    std::vector<size_t> component;
    size_t w;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack[w] = false;
      component.push_back(w);
    } while (w != v);
    out.push_back(std::move(component));
  };
  for (size_t v = 0; v < n; ++v) {
    if (index[v] < 0) connect(v);
  }
  return out;
}

// The shortest path from `start` back to itself inside `members`.
std::vector<size_t> ShortestCycle(size_t start, const std::set<size_t>& members,
                                  const std::vector<std::vector<size_t>>& next) {
  std::map<size_t, size_t> previous;
  std::queue<size_t> queue;
  queue.push(start);
  while (!queue.empty()) {
    size_t v = queue.front();
    queue.pop();
    for (size_t w : next[v]) {
      if (!members.count(w)) continue;
      if (w == start) {
        std::vector<size_t> path = {v};
        while (path.back() != start) path.push_back(previous.at(path.back()));
        std::reverse(path.begin(), path.end());
        return path;
      }
      if (!previous.count(w)) {
        previous[w] = v;
        queue.push(w);
      }
    }
  }
  return {start};
}

std::string Join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

RuleGraph BuildRuleGraph(std::span<const Rule> rules) {
  RuleGraph graph;
  for (const Rule& rule : rules) graph.nodes.push_back({&rule, rule.event_types, rule.emits});
  size_t n = graph.nodes.size();
  std::vector<std::vector<size_t>> next(n);
  // Who listens to each type, so that finding the edges costs the edges
  // there are, not every pair of rules (10,000 rules are 10^8 pairs).
  std::map<std::string_view, std::vector<size_t>> listeners;
  for (size_t b = 0; b < n; ++b) {
    for (const std::string& type : graph.nodes[b].rule->event_types) listeners[type].push_back(b);
  }
  for (size_t a = 0; a < n; ++a) {
    const Rule& from = *graph.nodes[a].rule;
    if (!from.enabled) continue;
    std::set<size_t> targets;
    for (const std::string& type : from.emits) {
      if (auto it = listeners.find(type); it != listeners.end()) targets.insert(it->second.begin(), it->second.end());
    }
    for (size_t b : targets) {
      const Rule& to = *graph.nodes[b].rule;
      if (!to.enabled || !ScopesOverlap(from, to)) continue;
      std::vector<std::string> via;
      std::set_intersection(from.emits.begin(), from.emits.end(), to.event_types.begin(), to.event_types.end(),
                            std::back_inserter(via));
      // An action whose constant data fails the listener's equality guards cannot trigger it.
      std::erase_if(via, [&](const std::string& type) { return !CanTrigger(from, type, to); });
      if (via.empty()) continue;
      bool later = std::all_of(via.begin(), via.end(), [&](const std::string& type) {
        return TriggersOnlyLater(from, type, to);
      });
      graph.edges.push_back({a, b, std::move(via), later});
      if (!later) next[a].push_back(b);
    }
  }
  auto by_id = [&](size_t x, size_t y) { return graph.nodes[x].rule->id < graph.nodes[y].rule->id; };
  for (std::vector<size_t>& component : Components(n, next)) {
    std::sort(component.begin(), component.end(), by_id);
    std::set<size_t> members(component.begin(), component.end());
    if (component.size() > 1) graph.cycles.push_back(ShortestCycle(component.front(), members, next));
    for (size_t v : component) {
      bool self = std::find(next[v].begin(), next[v].end(), v) != next[v].end();
      if (self) graph.cycles.push_back({v});
    }
  }
  std::sort(graph.cycles.begin(), graph.cycles.end(), [&](const auto& x, const auto& y) {
    if (x.front() != y.front()) return by_id(x.front(), y.front());
    return x.size() > y.size();
  });
  return graph;
}

std::string RuleGraph::DescribeCycle(const std::vector<size_t>& cycle) const {
  std::string out;
  for (size_t i = 0; i < cycle.size(); ++i) {
    size_t from = cycle[i];
    size_t to = cycle[(i + 1) % cycle.size()];
    auto edge = std::find_if(edges.begin(), edges.end(), [&](const Edge& e) { return e.from == from && e.to == to; });
    if (edge == edges.end()) continue;
    if (!out.empty()) out += "; ";
    out += nodes[from].rule->id + " emits " + Join(edge->via, " and ") + ", which " +
           (from == to ? "it listens to itself" : nodes[to].rule->id + " listens to");
  }
  return out;
}

bool RuleGraph::CycleWaitsForATimer(const std::vector<size_t>& cycle) const {
  for (size_t i = 0; i < cycle.size(); ++i) {
    size_t from = cycle[i];
    size_t to = cycle[(i + 1) % cycle.size()];
    auto edge = std::find_if(edges.begin(), edges.end(), [&](const Edge& e) { return e.from == from && e.to == to; });
    if (edge != edges.end() && edge->via == std::vector<std::string>{"timer.fired"}) return true;
  }
  return false;
}

std::string RenderGraphText(const RuleGraph& graph) {
  std::string out;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const RuleGraph::Node& node = graph.nodes[i];
    out += "rule " + node.rule->id + (node.rule->enabled ? "" : " (disabled)") + "\n";
    out += "  listens: " + (node.listens.empty() ? std::string("-") : Join(node.listens)) + "\n";
    out += "  emits:   " + (node.emits.empty() ? std::string("-") : Join(node.emits)) + "\n";
    std::vector<std::string> triggers;
    for (const RuleGraph::Edge& edge : graph.edges) {
      if (edge.from == i) {
        triggers.push_back(graph.nodes[edge.to].rule->id + " (via " + Join(edge.via) + (edge.later ? ", later" : "") + ")");
      }
    }
    if (!triggers.empty()) out += "  triggers: " + Join(triggers) + "\n";
  }
  if (graph.cycles.empty()) {
    out += "cycles: none\n";
    return out;
  }
  out += "cycles:\n";
  for (const auto& cycle : graph.cycles) {
    std::string path;
    for (size_t v : cycle) path += graph.nodes[v].rule->id + " -> ";
    out += "  " + path + graph.nodes[cycle.front()].rule->id + "\n";
  }
  return out;
}

std::string RenderGraphDot(const RuleGraph& graph) {
  std::set<size_t> in_cycle;
  for (const auto& cycle : graph.cycles) in_cycle.insert(cycle.begin(), cycle.end());
  std::set<std::string> types;
  for (const RuleGraph::Node& node : graph.nodes) {
    types.insert(node.listens.begin(), node.listens.end());
    types.insert(node.emits.begin(), node.emits.end());
  }
  std::string out = "digraph keel_rules {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  for (const std::string& type : types) {
    out += "  " + Quote("event:" + type) + " [shape=ellipse, label=" + Quote(type) + "];\n";
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Rule& rule = *graph.nodes[i].rule;
    std::string style = rule.enabled ? "rounded" : "rounded,dashed";
    std::string color = in_cycle.count(i) ? ", color=red" : "";
    out += "  " + Quote("rule:" + rule.id) + " [shape=box, style=" + Quote(style) + color + ", label=" + Quote(rule.id) + "];\n";
  }
  for (const RuleGraph::Node& node : graph.nodes) {
    for (const std::string& type : node.listens) {
      out += "  " + Quote("event:" + type) + " -> " + Quote("rule:" + node.rule->id) + ";\n";
    }
    for (const std::string& type : node.emits) {
      out += "  " + Quote("rule:" + node.rule->id) + " -> " + Quote("event:" + type) + ";\n";
    }
  }
  out += "}\n";
  return out;
}

}  // namespace keel::rules
