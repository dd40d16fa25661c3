#include "rules/react/attach_rule_set.h"

#include <utility>

namespace keel::rules {

std::shared_ptr<RuleReactor> AttachRuleSet(EventLog& log, RuleSet rules, const SchemaRegistry* schemas) {
  auto reactor = std::make_shared<RuleReactor>(std::move(rules));
  log.SetReactor(reactor, schemas);
  return reactor;
}

}  // namespace keel::rules
