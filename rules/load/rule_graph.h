// RuleGraph: which rule listens to and emits which event types, which rules
// can trigger which, and the cycles among them (rule A emits what rule B
// listens to, and back; or A what it listens to itself). Cascades stop at the
// engine's depth limit; loading warns about every cycle found here.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rules/ruleset.h"

namespace keel::rules {

struct RuleGraph {
  struct Node {
    const Rule* rule = nullptr;
    std::vector<std::string> listens;  // event types
    std::vector<std::string> emits;    // event types
  };
  // `from`'s actions emit `via`, which `to` listens to; their scopes overlap
  // (derived events stay in the trigger's workspace). Enabled rules only. A
  // type is left out of `via` when every action emitting it writes a constant
  // that `to`'s equality guards refuse (edge_guards.h).
  struct Edge {
    size_t from = 0;
    size_t to = 0;
    std::vector<std::string> via;
    // Only through timers that fire a fixed time later (edge_guards.h): an
    // edge of the graph, but no cascade, so it makes no cycle.
    bool later = false;
  };
  std::vector<Node> nodes;  // in the order of the rules given
  std::vector<Edge> edges;  // by from, then to
  // Each a path of node indexes that returns to its first node (not
  // repeated), starting at the node whose rule id sorts first. One per
  // strongly connected group of rules, plus each rule that triggers itself.
  std::vector<std::vector<size_t>> cycles;

  // "a emits task.created, which b listens to; b emits ..., which a listens to"
  std::string DescribeCycle(const std::vector<size_t>& cycle) const;
  // True when a step of the cycle goes only through timer.fired: each turn
  // then waits for a timer, which starts a cascade of its own (the depth
  // limit never ends it), and what the engine bounds is how soon a timer
  // armed as a timer fires may be due (kMinTimerRearmDelayMicros).
  bool CycleWaitsForATimer(const std::vector<size_t>& cycle) const;
};

RuleGraph BuildRuleGraph(std::span<const Rule> rules);

// One block per rule (listens, emits, triggers), then the cycles.
std::string RenderGraphText(const RuleGraph& graph);
// Graphviz: event types as ellipses, rules as boxes (dashed when disabled,
// red when in a cycle), edges type -> rule -> type.
std::string RenderGraphDot(const RuleGraph& graph);

}  // namespace keel::rules
