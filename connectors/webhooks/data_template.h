// Evaluating what a mapping file wrote (connectors/webhooks' events and
// connectors/actions' requests and answers): a DataNode tree of templates to
// JSON, and a value to the text an id, a URL or an attribute takes.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/webhooks/mapping.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel::webhooks {

// `node` evaluated in `scope`: maps and lists built member by member (a
// `name?:` member left out when null), templates evaluated, literals as they
// are. An error is InvalidArgument "WHERE, PATH: why".
Result<nlohmann::json> EvaluateData(const DataNode& node, const ExpressionScope& scope, const std::string& path,
                                    const std::string& where);

// A value used as text: strings as they are, numbers written out (an
// integer-valued double without its ".0"); nullopt for anything else.
std::optional<std::string> ValueText(const nlohmann::json& value);

// "string \"abc\"", cut at 80 characters: a value named in an error.
std::string DescribeValue(const nlohmann::json& value);

}  // namespace keel::webhooks
