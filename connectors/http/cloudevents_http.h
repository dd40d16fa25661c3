// The CloudEvents HTTP protocol binding (CloudEvents 1.0, "HTTP Protocol
// Binding"). Receiving side: the events a request carries, as keel event
// JSON objects for the ingest path to decode and validate
// (engine/schema/event_decoder.h). Sending side: one stored event as the
// headers and body of a request (the webhook sink). The Content-Type picks
// the mode:
//   application/cloudevents+json        structured: the body is the event
//   application/cloudevents-batch+json  batched: the body is an array of events
//   anything else                       binary: `ce-` headers carry the attributes
//                                       and the body is `data`
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
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

// A CloudEvent made ready to send: the headers it adds to the request (names
// as the binding spells them) and the body.
struct HttpCloudEvent {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Structured mode: the body is `event` as it is, the Content-Type
// "application/cloudevents+json; charset=utf-8". `event` is one CloudEvent as
// a compact JSON object in keel's canonical form (an Event's `canonical`,
// members may be appended); InvalidArgument when it is not an object.
Result<HttpCloudEvent> StructuredCloudEvent(std::string_view event);

// Binary mode: each attribute but `data` and `datacontenttype`, extensions
// too, becomes a header `ce-NAME` with its value percent-encoded
// (EncodeHeaderValue), in the order of `event`; `data` is the body and the
// Content-Type "application/json" (keel's events carry JSON data).
// InvalidArgument when `event` has no `data` or an attribute is an object or
// an array, which a header cannot carry.
Result<HttpCloudEvent> BinaryCloudEvent(std::string_view event);

// A binary-mode header value as the binding (section 3.1.3.2) encodes it:
// space, '"', '%' and every byte outside the printable ASCII range
// U+0021-U+007E become "%XY" (upper-case hex of each UTF-8 byte); the rest
// is kept. "Euro € 😀" -> "Euro%20%E2%82%AC%20%F0%9F%98%80".
std::string EncodeHeaderValue(std::string_view value);

}  // namespace keel::http
