// An action mapping (connectors/actions/README.md): how a sink turns an event
// of the log into one HTTP request to a tool (create an issue, move it,
// comment on it) and the tool's answer into events (task.linked with the
// remote key). The outbound twin of connectors/webhooks' mappings, read with
// the same pieces (webhooks/mapping_reader.h). LoadActionMapping reads and
// compiles a file once; action_run.h evaluates it per event.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/webhooks/mapping.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel {
class SchemaRegistry;
}

namespace keel::actions {

using webhooks::CompiledExpression;
using webhooks::DataNode;
using webhooks::FilePlace;

// One HTTP request, as templates.
struct RequestSpec {
  FilePlace place;
  CompiledExpression method;  // template -> GET, POST, PUT, PATCH or DELETE
  CompiledExpression url;     // template -> http:// or https:// URL
  // Header name -> template; a header whose value is null is left out.
  std::vector<std::pair<std::string, CompiledExpression>> headers;
  DataNode body;  // a tree written as JSON, or one template whose text is the body
  bool has_body = false;
};

// An event appended when the tool answered 2xx.
struct AnswerSpec {
  FilePlace place;
  CompiledExpression condition;  // `if`, bare CEL over the variables and `response`, or null
  CompiledExpression type;
  CompiledExpression subject;
  DataNode data;
  bool has_data = false;
};

// A look-up before the request: when `found` is true of its response, the
// item exists already; `answer` (over that response) is used and the case's
// request is not sent.
struct FindSpec {
  RequestSpec request;
  CompiledExpression found;  // bare CEL over `response` -> bool
  std::vector<AnswerSpec> answer;
};

struct ActionCase {
  std::string name;
  FilePlace place;
  CompiledExpression condition;  // `if`, bare CEL, or null
  CompiledExpression ignore;     // template: the reason; set when the case sends nothing
  std::optional<FindSpec> find;
  RequestSpec request;
  // Whether a 2xx response is a success (bare CEL over `response`), for
  // tools that answer failures with 200 (GraphQL's `errors`); null: every 2xx is.
  CompiledExpression ok;
  std::vector<AnswerSpec> answer;
};

struct ActionMapping {
  std::string file;  // as the user named it, or "builtin:NAME.yaml"
  std::string name;
  std::string description;
  std::vector<webhooks::Let> lets;
  std::vector<ActionCase> cases;
  CompiledExpression otherwise_ignore;  // null: no case matching is an error (a dead letter)
};

// The variables an action mapping's expressions see.
inline constexpr std::string_view kEventVar = "event";        // the CloudEvent as JSON, with data
inline constexpr std::string_view kVarsVar = "vars";          // the sink's strings
inline constexpr std::string_view kEntityVar = "entity";      // the subject's state, or null
inline constexpr std::string_view kResponseVar = "response";  // {status, headers, body}: answers and `found`

// True when a mapping file's text is an action mapping (its top-level key
// `action:`) rather than a webhook mapping (`mapping:`). A quick look at the
// lines, not a parse: the loaders report the errors.
bool LooksLikeActionMapping(std::string_view text);
// The same for a file (false when it cannot be read: its loader says why).
bool IsActionMappingFile(const std::string& path);

// Reads and compiles an action mapping. Every error is InvalidArgument
// "file:line:col: message" (the first found); unknown keys are refused, CEL
// errors point into the file, and a literal answer type must be one `types`
// knows (when given).
Result<ActionMapping> LoadActionMapping(std::string_view file_name, std::string_view text,
                                        const ExpressionCompiler& compiler, const SchemaRegistry* types = nullptr);
Result<ActionMapping> LoadActionMappingFile(const std::string& path, const ExpressionCompiler& compiler,
                                            const SchemaRegistry* types = nullptr);

}  // namespace keel::actions
