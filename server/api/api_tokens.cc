#include "server/api/api_tokens.h"

#include <sys/random.h>

#include <fstream>
#include <set>
#include <sstream>

#include "engine/sha256.h"
#include "engine/yaml_load.h"

namespace keel::api {
namespace {

// "file:line:col: tokens: message" at `node`.
Status At(const std::string& file, const YAML::Node& node, const std::string& message) {
  return Status::InvalidArgument(file + ":" + std::to_string(node.Mark().line + 1) + ":" +
                                 std::to_string(node.Mark().column + 1) + ": " + message);
}

Result<std::string> Text(const std::string& file, const YAML::Node& entry, const std::string& key) {
  const YAML::Node value = entry[key];
  if (!value) return At(file, entry, "the token entry has no '" + key + "'");
  if (!value.IsScalar() || value.Scalar().empty()) return At(file, value, "'" + key + "' must be a non-empty string");
  return value.Scalar();
}

Result<ApiToken> ReadEntry(const std::string& file, const YAML::Node& entry) {
  if (!entry.IsMap()) return At(file, entry, "each token is a mapping with name, sha256, person, role, workspaces");
  static const std::set<std::string> kKeys = {"name", "sha256", "person", "role", "workspaces"};
  for (const auto& pair : entry) {
    if (!kKeys.count(pair.first.Scalar())) {
      return At(file, pair.first, "unknown key '" + pair.first.Scalar() +
                                      "' (a token has name, sha256, person, role, workspaces)");
    }
  }
  ApiToken token;
  KEEL_ASSIGN_OR_RETURN(token.name, Text(file, entry, "name"));
  KEEL_ASSIGN_OR_RETURN(std::string digest, Text(file, entry, "sha256"));
  bool lower = digest.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!lower || !HashFromHex(digest, &token.sha256)) {
    return At(file, entry["sha256"], "sha256 must be 64 lower-case hex digits (the SHA-256 of the token)");
  }
  KEEL_ASSIGN_OR_RETURN(token.person, Text(file, entry, "person"));
  KEEL_ASSIGN_OR_RETURN(std::string role, Text(file, entry, "role"));
  auto parsed = ParseRole(role);
  if (!parsed.ok()) return At(file, entry["role"], parsed.status().message());
  token.role = *parsed;
  const YAML::Node workspaces = entry["workspaces"];
  if (!workspaces || !workspaces.IsSequence() || workspaces.size() == 0) {
    return At(file, workspaces ? workspaces : entry, "workspaces must be a non-empty list of workspace names");
  }
  for (const YAML::Node& workspace : workspaces) {
    if (!workspace.IsScalar() || workspace.Scalar().empty()) {
      return At(file, workspace, "each workspace is a non-empty string");
    }
    if (workspace.Scalar() == "*" && token.role != ApiRole::kAdmin) {
      return At(file, workspace, "only an admin token may name every workspace (\"*\")");
    }
    token.workspaces.push_back(workspace.Scalar());
  }
  return token;
}

}  // namespace

std::string_view RoleName(ApiRole role) {
  switch (role) {
    case ApiRole::kAdmin: return "admin";
    case ApiRole::kMember: return "member";
    case ApiRole::kGuest: return "guest";
  }
  return "guest";
}

Result<ApiRole> ParseRole(std::string_view text) {
  if (text == "admin") return ApiRole::kAdmin;
  if (text == "member") return ApiRole::kMember;
  if (text == "guest") return ApiRole::kGuest;
  return Status::InvalidArgument("role must be admin, member or guest, not '" + std::string(text) + "'");
}

bool ApiToken::SeesWorkspace(std::string_view workspace) const {
  for (const std::string& allowed : workspaces) {
    if (allowed == workspace || (allowed == "*" && role == ApiRole::kAdmin)) return true;
  }
  return false;
}

Result<ApiTokens> ApiTokens::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read the API tokens file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<ApiTokens> ApiTokens::Parse(std::string_view text, const std::string& file) {
  YamlPlace where;
  auto documents = LoadYaml(text, {}, &where);
  if (!documents.ok()) return YamlRefusal(file, documents.status(), where);
  if (documents->size() != 1 || !(*documents)[0].IsMap()) {
    return Status::InvalidArgument(file + ": the tokens file is one mapping with a list 'tokens'");
  }
  const YAML::Node& root = (*documents)[0];
  for (const auto& pair : root) {
    if (pair.first.Scalar() != "tokens") {
      return At(file, pair.first, "unknown key '" + pair.first.Scalar() + "' (the file has only 'tokens')");
    }
  }
  const YAML::Node list = root["tokens"];
  if (!list || !list.IsSequence()) return At(file, list ? list : root, "'tokens' must be a list");
  ApiTokens tokens;
  std::set<std::string> names;
  std::set<Hash> digests;
  for (const YAML::Node& entry : list) {
    KEEL_ASSIGN_OR_RETURN(ApiToken token, ReadEntry(file, entry));
    if (!names.insert(token.name).second) return At(file, entry["name"], "the name '" + token.name + "' is used twice");
    if (!digests.insert(token.sha256).second) {
      return At(file, entry["sha256"], "the token of '" + token.name + "' is listed twice");
    }
    tokens.tokens_.push_back(std::move(token));
  }
  return tokens;
}

ApiTokens ApiTokens::Of(std::vector<ApiToken> tokens) {
  ApiTokens out;
  out.tokens_ = std::move(tokens);
  return out;
}

const ApiToken* ApiTokens::Find(std::string_view presented) const {
  Hash digest = Sha256(presented);
  const ApiToken* found = nullptr;
  for (const ApiToken& token : tokens_) {
    // Every byte of every entry is looked at, whatever matched before.
    uint8_t difference = 0;
    for (size_t i = 0; i < digest.size(); ++i) difference |= static_cast<uint8_t>(digest[i] ^ token.sha256[i]);
    if (difference == 0) found = &token;
  }
  return found;
}

Result<std::string> NewToken() {
  uint8_t bytes[32];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    ssize_t got = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (got < 0) return Status::IOError("cannot read random bytes for a token");
    filled += static_cast<size_t>(got);
  }
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "keel_";
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      token.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) token.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return token;
}

std::string TokenDigestHex(std::string_view token) { return HashToHex(Sha256(token)); }

}  // namespace keel::api
