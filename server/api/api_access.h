// Who is calling the API: the bearer token of a request checked against the
// tokens file, failed attempts rate-limited per client address, and the
// rules of what a caller may see (workspaces, guests' visibility).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "connectors/http/http_server.h"
#include "engine/mutex.h"
#include "engine/state/entity_state.h"
#include "server/api/api_tokens.h"

namespace keel::api {

// An answer other than 200: {"error":{"code","message"}}.
struct ApiError {
  int status = 500;
  std::string code;  // snake_case
  std::string message;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Caller {
  std::string person;
  ApiRole role = ApiRole::kGuest;
  std::vector<std::string> workspaces;  // as the tokens file lists them
  std::string token_name;

  bool guest() const { return role == ApiRole::kGuest; }
  bool admin() const { return role == ApiRole::kAdmin; }
  bool SeesWorkspace(std::string_view workspace) const;
};

// Whether guests may see an entity: its state's `visibility` is `client` or
// `guest` (schemas/entity.schema.json); missing or anything else is internal.
bool VisibleToGuest(const EntityState& state);

// Failed logins per client address: at most `max_failures` in any `window`;
// past it, every request from the address is refused until the oldest
// failure leaves the window. Thread-safe.
class FailedLoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit FailedLoginLimiter(size_t max_failures = 10, std::chrono::seconds window = std::chrono::seconds(60))
      : max_failures_(max_failures), window_(window) {}
  // nullopt when `address` may try; else how long until it may.
  std::optional<std::chrono::seconds> Blocked(const std::string& address, Clock::time_point now);
  void RecordFailure(const std::string& address, Clock::time_point now);

 private:
  void Forget(Clock::time_point now) REQUIRES(mu_);

  const size_t max_failures_;
  const std::chrono::seconds window_;
  Mutex mu_;
  std::map<std::string, std::deque<Clock::time_point>> failures_ GUARDED_BY(mu_);
};

class ApiAccess {
 public:
  // `open_admin`: a request without any token is an admin of every
  // workspace (read-only serve on loopback without a tokens file).
  ApiAccess(ApiTokens tokens, bool open_admin) : tokens_(std::move(tokens)), open_admin_(open_admin) {}

  // The caller of `request` (Authorization: Bearer TOKEN), or 401 (no token
  // or a wrong one, with WWW-Authenticate) or 429 (too many failures from
  // its address, with Retry-After).
  std::variant<Caller, ApiError> Authenticate(const http::HttpRequest& request);

 private:
  ApiTokens tokens_;
  bool open_admin_;
  FailedLoginLimiter limiter_;
};

// The address of "IP:PORT" (or "[IPv6]:PORT"), without the port.
std::string ClientAddress(std::string_view remote_address);

}  // namespace keel::api
