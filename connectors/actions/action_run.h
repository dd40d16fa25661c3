// Running an action mapping for one event of the log: the request to send
// (and the look-up to send first, when the case has `find:`), or the reason
// nothing is sent; then, from the tool's answer, the events to append
// (JSON CloudEvents). Deterministic: no wall clock, ids derived from the
// event, the sink and the answer's position, so a re-sent event answers with
// the same events and the log keeps one of each.
//
// The request and answer are this floor's own structs: the sinks' http
// channel (connectors/sinks, one floor up) converts them to its transport's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/actions/action_mapping.h"
#include "engine/event.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel::actions {

struct ActionRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // as the mapping names them, in order
  std::string body;
};

struct ActionResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
};

// What one run reads. Every pointer must outlive the calls.
struct ActionInput {
  const StoredEvent* event = nullptr;
  std::string sink;                                  // the sink's name: answers' ids, source and actor
  const std::map<std::string, std::string>* vars = nullptr;  // nullptr: none
  nlohmann::json entity;                             // the subject's state, or null
  const PeopleDirectory* people = nullptr;           // what person() and identity() read
  const SchemaRegistry* schemas = nullptr;           // answers checked against their types when given
};

struct PreparedAction {
  bool ignored = false;
  std::string reason;  // ignored: why
  size_t case_index = 0;
  std::string case_name;
  std::optional<ActionRequest> find;  // send first; see Found()
  ActionRequest request;
};

// The first case whose `if` holds, evaluated. An error (InvalidArgument
// naming the case and the field) when an expression fails, a value has the
// wrong kind, or no case matches and the mapping has no `otherwise`.
// `scope` is reused across runs (ExpressionCompiler::NewScope()).
Result<PreparedAction> PrepareAction(const ActionMapping& mapping, const ActionInput& input, ExpressionScope& scope);

// Whether the find's response says the item exists (its `found`).
Result<bool> Found(const ActionMapping& mapping, const PreparedAction& prepared, const ActionInput& input,
                   const ActionResponse& response, ExpressionScope& scope);

// Whether a 2xx `response` to the case's request is a success: its `ok:`
// when it has one, else true. False means the tool refused (a dead letter,
// never retried: the same request gets the same answer).
Result<bool> Succeeded(const ActionMapping& mapping, const PreparedAction& prepared, const ActionInput& input,
                       const ActionResponse& response, ExpressionScope& scope);

// The answer events for a 2xx `response`: the case's `answer`, or the
// find's when `from_find` (the item was found). Each is a CloudEvent with id
// AnswerEventId(event id, sink, position), source keel/sink/SINK, the
// triggering event's time and workspace, and actor system:sink/SINK.
Result<std::vector<nlohmann::json>> AnswerEvents(const ActionMapping& mapping, const PreparedAction& prepared,
                                                 const ActionInput& input, const ActionResponse& response,
                                                 bool from_find, ExpressionScope& scope);

// "a-" and 32 hex digits of SHA-256 over "sink.answer" NUL EVENT_ID NUL
// SINK NUL INDEX (decimal).
std::string AnswerEventId(std::string_view event_id, std::string_view sink, size_t index);

// `response` as the mappings see it: {status, headers (a map, names
// lower-cased), body (parsed when it is JSON, else the text)}.
nlohmann::json ResponseJson(const ActionResponse& response);

}  // namespace keel::actions
