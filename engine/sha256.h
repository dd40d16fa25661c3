// SHA-256 for the hash chain (OpenSSL underneath).
#pragma once

#include <string_view>

#include "engine/event.h"

namespace keel {

// The chain link: SHA-256(previous || canonical_bytes).
Hash ChainHash(const Hash& previous, std::string_view canonical_bytes);

}  // namespace keel
