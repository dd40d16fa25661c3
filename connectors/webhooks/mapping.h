// A webhook mapping (connectors/webhooks/README.md): how one tool's deliveries
// become keel events. LoadMapping reads and compiles a mapping file once;
// MapDelivery (map_delivery.h) evaluates it per delivery.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/expression.h"
#include "engine/status.h"

namespace keel {
class SchemaRegistry;
}

namespace keel::webhooks {

// A place in a mapping file, 1-based.
struct FilePlace {
  int line = 0;
  int col = 0;
};

using CompiledExpression = std::shared_ptr<const Expression>;

// How a receiver checks a delivery's signature (connectors/http checks it).
struct SignatureSpec {
  std::string scheme;  // "hmac-sha256" or "token"
  std::string header;  // as written; compare lower-cased
  std::string prefix;  // before the lower-case hex digest ("sha256="), or empty
};

// An event's data: a tree of templates. A map member written `name?:` is left
// out when its value is null.
struct DataNode {
  enum class Type : uint8_t { kValue, kList, kMap };
  Type type = Type::kValue;
  CompiledExpression value;        // kValue: a template; null for a literal
  nlohmann::json literal;          // kValue without a template: a number, bool, null or plain text
  std::vector<std::string> keys;   // kMap, without the "?"
  std::vector<bool> optional;      // kMap: written `name?:`
  std::vector<DataNode> items;     // kList items; kMap values
  std::vector<FilePlace> places;   // of each item or member
};

struct EventSpec {
  FilePlace place;
  CompiledExpression for_each;  // bare CEL -> list, or null
  CompiledExpression condition;  // `if`, bare CEL -> bool, or null
  CompiledExpression id;         // template: the event's key within the delivery, or null (its position)
  CompiledExpression type;
  CompiledExpression subject;
  CompiledExpression time;
  CompiledExpression actor;      // null: "system:" and the mapping's name
  DataNode data;
  bool has_data = false;
};

struct Case {
  std::string name;
  FilePlace place;
  CompiledExpression condition;  // `if`, bare CEL
  CompiledExpression ignore;     // template: the reason; set when the case ignores
  std::vector<EventSpec> events;
};

struct Let {
  std::string name;
  CompiledExpression value;
};

struct Mapping {
  std::string file;  // as the user named it, or "builtin:NAME"
  std::string name;
  std::string description;
  std::optional<SignatureSpec> signature;
  CompiledExpression delivery_id;  // bare CEL, or null (the body's SHA-256)
  CompiledExpression source;       // template
  CompiledExpression workspace;    // template over headers, body and endpoint, or null
  std::vector<Let> lets;
  std::vector<Case> cases;
  CompiledExpression otherwise_ignore;  // template: the reason; null: no case matching is a refusal
  // The parts of the body the expressions can read (null: all of it): only
  // those are bound, the rest of a large payload costs nothing.
  std::shared_ptr<const JsonSelection> body_selection;
};

// The variables a mapping's expressions see (SPEC21 "A delivery").
inline constexpr std::string_view kHeadersVar = "headers";
inline constexpr std::string_view kBodyVar = "body";
inline constexpr std::string_view kEndpointVar = "endpoint";
inline constexpr std::string_view kItemVar = "item";
inline constexpr std::string_view kIndexVar = "index";

// Reads and compiles a mapping file. Every error is InvalidArgument
// "file:line:col: message" (the first one found); unknown keys are refused,
// CEL errors point into the file, and a literal event type must be one
// `types` knows (when given).
Result<Mapping> LoadMapping(std::string_view file_name, std::string_view text, const ExpressionCompiler& compiler,
                            const SchemaRegistry* types = nullptr);
Result<Mapping> LoadMappingFile(const std::string& path, const ExpressionCompiler& compiler,
                                const SchemaRegistry* types = nullptr);

}  // namespace keel::webhooks
