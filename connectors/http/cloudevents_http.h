// The CloudEvents HTTP protocol binding (CloudEvents 1.0, "HTTP Protocol
// Binding"), receiving side: the events a request carries, as keel event
// JSON objects for the ingest path to decode and validate
// (engine/schema/event_decoder.h). The Content-Type picks the mode:
//   application/cloudevents+json        structured: the body is the event
//   application/cloudevents-batch+json  batched: the body is an array of events
//   anything else                       binary: `ce-` headers carry the attributes
//                                       and the body is `data`
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace keel::http {

// The events of one request, in order; `headers` have lower-case names (as
// HttpRequest has them). InvalidArgument with the reason (a 400) when the
// request is not a CloudEvent keel can take: a format other than JSON, a body
// that is not JSON, a binary-mode header that cannot be decoded, binary data
// that is not JSON. Whether each event is a valid keel event is left to the
// ingest path, which checks every event the same way.
Result<std::vector<std::string>> CloudEventsFromHttp(const std::map<std::string, std::string>& headers,
                                                     std::string_view body);

// A binary-mode header value as the binding decodes it: a double-quoted
// value is unquoted (RFC 7230, section 3.2.6), then one round of
// percent-decoding is done; the result must be UTF-8.
Result<std::string> DecodeHeaderValue(std::string_view value);

}  // namespace keel::http
