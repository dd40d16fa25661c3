// SHA-256 for the hash chain (OpenSSL underneath).
#pragma once

#include <string_view>

#include "engine/event.h"

namespace keel {

// The chain link: SHA-256(previous || canonical_bytes).
Hash ChainHash(const Hash& previous, std::string_view canonical_bytes);

// Plain SHA-256 of `bytes`: the content address of stored rule-set sources.
// (Not ChainHash(Hash{}, bytes), which hashes 32 zero bytes first.)
Hash Sha256(std::string_view bytes);

}  // namespace keel
