#include "connectors/http/cloudevents_http.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "engine/canonical_json.h"
#include "engine/utf8.h"

namespace keel::http {
namespace {

constexpr std::string_view kAttributePrefix = "ce-";

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsWhitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsWhitespace(text.back())) text.remove_suffix(1);
  return text;
}

// "Application/JSON; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type) {
  std::string media(Trim(content_type.substr(0, content_type.find(';'))));
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status NotJson(std::string_view what, std::string_view body) {
  try {
    nlohmann::json parsed = nlohmann::json::parse(body);  // throws: accept() already said no
    (void)parsed;
  } catch (const nlohmann::json::parse_error& error) {
    return Status::InvalidArgument(std::string(what) + " is not JSON: " + error.what());
  }
  return Status::InvalidArgument(std::string(what) + " is not JSON");
}

// The elements of a JSON array, each as its own bytes. REQUIRES: `body` is
// valid JSON whose top value is an array.
std::vector<std::string> ArrayElements(std::string_view body) {
  std::vector<std::string> elements;
  size_t start = body.find('[') + 1;
  int depth = 0;
  bool in_string = false;
  for (size_t i = start; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || (c == ']' && depth > 0)) --depth;
    else if (depth == 0 && (c == ',' || c == ']')) {
      std::string_view element = Trim(body.substr(start, i - start));
      if (!element.empty()) elements.emplace_back(element);
      start = i + 1;
      if (c == ']') break;
    }
  }
  return elements;
}

Result<std::vector<std::string>> Structured(std::string_view body) {
  if (!nlohmann::json::accept(body)) return NotJson("the body (a structured-mode CloudEvent)", body);
  if (!Trim(body).starts_with("{")) {
    return Status::InvalidArgument("the body (a structured-mode CloudEvent) must be a JSON object");
  }
  return std::vector<std::string>{std::string(body)};
}

Result<std::vector<std::string>> Batched(std::string_view body) {
  if (!nlohmann::json::accept(body)) return NotJson("the body (a batch of CloudEvents)", body);
  if (!Trim(body).starts_with("[")) {
    return Status::InvalidArgument("the body (a batch of CloudEvents) must be a JSON array");
  }
  std::vector<std::string> events = ArrayElements(body);
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i].starts_with("{")) {
      return Status::InvalidArgument("event " + std::to_string(i) + " of the batch is not a JSON object");
    }
  }
  return events;
}

Result<std::vector<std::string>> Binary(const std::map<std::string, std::string>& headers, std::string_view body) {
  if (!headers.contains("ce-specversion")) {
    auto type = headers.find("content-type");
    return Status::InvalidArgument(
        "not a CloudEvent: the Content-Type is " + (type == headers.end() ? "missing" : "\"" + type->second + "\"") +
        " (structured mode needs application/cloudevents+json) and there is no ce-specversion header (binary mode)");
  }
  std::string json = "{";
  for (const auto& [name, value] : headers) {
    if (!name.starts_with(kAttributePrefix)) continue;
    std::string_view attribute = std::string_view(name).substr(kAttributePrefix.size());
    if (attribute.empty() || attribute == "data" || attribute == "data_base64") {
      return Status::InvalidArgument("header " + name + " is not a CloudEvents attribute");
    }
    if (attribute == "datacontenttype") {
      return Status::InvalidArgument("header ce-datacontenttype must not be sent in binary mode; the Content-Type is it");
    }
    Result<std::string> decoded = DecodeHeaderValue(value);
    if (!decoded.ok()) return decoded.status().WithContext("header " + name);
    if (json.size() > 1) json.push_back(',');
    AppendJsonString(attribute, &json);
    json.push_back(':');
    AppendJsonString(*decoded, &json);
  }
  if (Trim(body).empty()) {
    return Status::InvalidArgument("binary mode: the body (the event's data) is empty; keel's events carry JSON data");
  }
  auto content_type = headers.find("content-type");
  std::string media = content_type == headers.end() ? "" : MediaType(content_type->second);
  if (media != "application/json") {
    return Status::InvalidArgument("binary mode: the Content-Type is " +
                                   (media.empty() ? std::string("missing") : "\"" + media + "\"") +
                                   "; keel's events carry JSON data (application/json)");
  }
  // Checked as one whole JSON value before it is spliced in, so the body
  // cannot smuggle attributes of its own into the event.
  if (!nlohmann::json::accept(body)) return NotJson("the body (the event's data)", body);
  json.append(",\"datacontenttype\":\"application/json\",\"data\":").append(body);
  json.push_back('}');
  return std::vector<std::string>{std::move(json)};
}

}  // namespace

Result<std::string> DecodeHeaderValue(std::string_view value) {
  std::string unquoted;
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    for (size_t i = 1; i + 1 < value.size(); ++i) {
      if (value[i] == '\\' && i + 2 < value.size()) ++i;
      unquoted.push_back(value[i]);
    }
  } else {
    unquoted = value;
  }
  std::string decoded;
  for (size_t i = 0; i < unquoted.size(); ++i) {
    if (unquoted[i] != '%') {
      decoded.push_back(unquoted[i]);
      continue;
    }
    int high = i + 2 < unquoted.size() ? HexValue(unquoted[i + 1]) : -1;
    int low = i + 2 < unquoted.size() ? HexValue(unquoted[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return Status::InvalidArgument("'%' at " + std::to_string(i) + " is not followed by two hex digits");
    }
    decoded.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (!IsValidUtf8(decoded)) return Status::InvalidArgument("the percent-decoded value is not UTF-8");
  return decoded;
}

std::string EncodeHeaderValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(value.size());
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte > 0x20 && byte < 0x7F && byte != '"' && byte != '%') {
      encoded.push_back(c);
      continue;
    }
    encoded.push_back('%');
    encoded.push_back(kHex[byte >> 4]);
    encoded.push_back(kHex[byte & 0x0F]);
  }
  return encoded;
}

Result<HttpCloudEvent> StructuredCloudEvent(std::string_view event) {
  if (!event.starts_with("{")) return Status::InvalidArgument("a CloudEvent must be a JSON object");
  return HttpCloudEvent{{{"Content-Type", "application/cloudevents+json; charset=utf-8"}}, std::string(event)};
}

Result<HttpCloudEvent> BinaryCloudEvent(std::string_view event) {
  HttpCloudEvent http;
  CanonicalObjectReader reader(event);
  std::string_view name, raw;
  bool has_data = false;
  while (reader.Next(&name, &raw)) {
    if (name == "data") {
      http.body = raw;
      has_data = true;
      continue;
    }
    if (name == "datacontenttype") continue;  // the Content-Type says it (section 3.1.1)
    if (raw.starts_with("{") || raw.starts_with("[")) {
      return Status::InvalidArgument("attribute '" + std::string(name) +
                                     "' is an object or a list, which a binary-mode header cannot carry");
    }
    if (IsJsonNull(raw)) continue;  // an absent attribute
    // Numbers and booleans are their canonical string form already.
    std::string value = IsJsonString(raw) ? DecodeJsonString(raw) : std::string(raw);
    http.headers.emplace_back(std::string(kAttributePrefix) + std::string(name), EncodeHeaderValue(value));
  }
  if (reader.malformed()) return Status::InvalidArgument("a CloudEvent must be a compact JSON object");
  if (!has_data) return Status::InvalidArgument("the CloudEvent has no 'data' for the body of a binary-mode request");
  http.headers.emplace_back("Content-Type", "application/json");
  return http;
}

Result<std::vector<std::string>> CloudEventsFromHttp(const std::map<std::string, std::string>& headers,
                                                     std::string_view body) {
  auto content_type = headers.find("content-type");
  std::string media = content_type == headers.end() ? "" : MediaType(content_type->second);
  if (media.starts_with("application/cloudevents-batch")) {
    if (media != "application/cloudevents-batch+json") {
      return Status::InvalidArgument("the batch format " + media +
                                     " is not supported; keel reads application/cloudevents-batch+json");
    }
    return Batched(body);
  }
  if (media.starts_with("application/cloudevents")) {
    if (media != "application/cloudevents+json") {
      return Status::InvalidArgument("the event format " + media +
                                     " is not supported; keel reads application/cloudevents+json");
    }
    return Structured(body);
  }
  return Binary(headers, body);
}

}  // namespace keel::http
