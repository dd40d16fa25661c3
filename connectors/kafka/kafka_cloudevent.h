// CloudEvents on Kafka (the Kafka protocol binding of CloudEvents 1.0):
// structured mode carries the whole JSON event as the message value; binary
// mode carries the attributes as `ce_` headers and `data` as the value.
// keel ingests structured JSON, so a binary message is rewritten into it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace keel {

using KafkaHeaders = std::vector<std::pair<std::string, std::string>>;

// True when the message is in binary mode: it has a `ce_specversion` header.
bool IsBinaryCloudEvent(const KafkaHeaders& headers);

// The structured JSON of a binary-mode message: every `ce_NAME` header
// becomes the attribute NAME (a string), and the value, which must be one
// JSON value, becomes `data` (an empty value: no `data`). When no
// `ce_workspace` header is given, `key` is the workspace. Refuses a value
// that is not JSON and a header given twice.
Result<std::string> StructuredFromBinary(const KafkaHeaders& headers, std::string_view value, std::string_view key);

}  // namespace keel
