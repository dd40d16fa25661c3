#include "engine/event_decoder.h"

#include <array>

#include "engine/canonical_json.h"
#include "engine/event_record.h"

namespace keel {
namespace {

constexpr std::array<std::string_view, 6> kEngineAttributes = {
    "seq", "hash", "causationid", "correlationid", "ruleid", "rulesethash"};

std::string_view JsonTypeName(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
    default: return "a number";
  }
}

}  // namespace

EventDecoder::EventDecoder(const SchemaRegistry* schemas, DecodeOptions options)
    : schemas_(schemas), options_(options) {}

Result<Event> EventDecoder::DecodeInput(std::string_view bytes) { return Decode(bytes, true); }

Result<Event> EventDecoder::DecodeDerived(std::string_view bytes) { return Decode(bytes, false); }

Result<Event> EventDecoder::Decode(std::string_view bytes, bool input) {
  if (bytes.size() > options_.max_event_bytes) {
    return Status::ResourceExhausted("event is " + std::to_string(bytes.size()) +
                                     " bytes, over the limit of " +
                                     std::to_string(options_.max_event_bytes) + " bytes");
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; copy into a
  // buffer that has them rather than let it allocate one per event.
  padded_.assign(bytes);
  padded_.resize(bytes.size() + simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element root;
  auto error = parser_.parse(padded_.data(), bytes.size(), false).get(root);
  if (error == simdjson::UTF8_ERROR) return Status::InvalidArgument("invalid UTF-8");
  if (error) return Status::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(error));
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return Status::InvalidArgument("an event must be a JSON object, got " +
                                   std::string(JsonTypeName(root.type())));
  }
  if (input) {
    simdjson::dom::object object = root.get_object().value_unsafe();
    for (std::string_view attribute : kEngineAttributes) {
      if (!object.at_key(attribute).error()) {
        return Status::InvalidArgument("attribute '" + std::string(attribute) +
                                       "' is set by the engine and cannot appear in an input event");
      }
    }
  }
  KEEL_RETURN_IF_ERROR(schemas_->Validate(root));
  Event event;
  event.canonical.reserve(bytes.size());
  KEEL_RETURN_IF_ERROR(AppendCanonicalJson(root, &event.canonical));
  Status filled = FillEventFromCanonical(&event);
  if (!filled.ok()) return Status::InvalidArgument(filled.message());
  return event;
}

}  // namespace keel
