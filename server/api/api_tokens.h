// The API's tokens file (schemas/api-tokens.schema.json): who may call the
// API, as what role, in which workspaces. The file holds each token's SHA-256
// only, never the token; a presented token is hashed and compared with every
// entry's digest in constant time, so neither the file nor the timing of an
// answer gives a token away.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/status.h"

namespace keel::api {

enum class ApiRole { kAdmin, kMember, kGuest };
std::string_view RoleName(ApiRole role);
// "admin", "member" or "guest".
Result<ApiRole> ParseRole(std::string_view text);

struct ApiToken {
  std::string name;  // for messages and the audit; never the token
  Hash sha256{};
  std::string person;  // "user:olga": the actor of the events it appends
  ApiRole role = ApiRole::kGuest;
  std::vector<std::string> workspaces;  // "*": every workspace (admins only)

  bool SeesWorkspace(std::string_view workspace) const;
};

class ApiTokens {
 public:
  // Reads and checks `path`; errors say file:line:col and what.
  static Result<ApiTokens> Load(const std::string& path);
  // The same from text; `file` names it in messages.
  static Result<ApiTokens> Parse(std::string_view text, const std::string& file);
  // Tokens from code (tests, read-only mode).
  static ApiTokens Of(std::vector<ApiToken> tokens);

  // The entry whose digest is SHA-256(`presented`), or nullptr. Every entry
  // is compared, each in constant time.
  const ApiToken* Find(std::string_view presented) const;
  const std::vector<ApiToken>& tokens() const { return tokens_; }

 private:
  std::vector<ApiToken> tokens_;
};

// A new random token: "keel_" and 32 random bytes in base64url.
Result<std::string> NewToken();
// SHA-256 of `token` as 64 lower-case hex digits, as the file holds it.
std::string TokenDigestHex(std::string_view token);

}  // namespace keel::api
