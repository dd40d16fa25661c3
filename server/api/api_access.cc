#include "server/api/api_access.h"

#include <cctype>

namespace keel::api {
namespace {

// Entries of addresses past their window are dropped once the map holds
// this many, so a scan of many addresses cannot grow it without bound.
constexpr size_t kForgetAbove = 4096;

ApiError Unauthorized(std::string message) {
  return {401, "unauthorized", std::move(message), {{"WWW-Authenticate", "Bearer realm=\"keel\""}}};
}

}  // namespace

bool Caller::SeesWorkspace(std::string_view workspace) const {
  for (const std::string& allowed : workspaces) {
    if (allowed == workspace || (allowed == "*" && admin())) return true;
  }
  return false;
}

bool VisibleToGuest(const EntityState& state) {
  std::string visibility = state.GetString("visibility");
  return visibility == "client" || visibility == "guest";
}

std::string ClientAddress(std::string_view remote_address) {
  size_t colon = remote_address.rfind(':');
  if (colon == std::string_view::npos) return std::string(remote_address);
  std::string_view address = remote_address.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  return std::string(address);
}

std::optional<std::chrono::seconds> FailedLoginLimiter::Blocked(const std::string& address, Clock::time_point now) {
  MutexLock lock(&mu_);
  auto found = failures_.find(address);
  if (found == failures_.end()) return std::nullopt;
  std::deque<Clock::time_point>& times = found->second;
  while (!times.empty() && now - times.front() >= window_) times.pop_front();
  if (times.size() < max_failures_) return std::nullopt;
  auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + window_ - now);
  return std::max(wait, std::chrono::seconds(1));
}

void FailedLoginLimiter::RecordFailure(const std::string& address, Clock::time_point now) {
  MutexLock lock(&mu_);
  if (failures_.size() >= kForgetAbove) Forget(now);
  std::deque<Clock::time_point>& times = failures_[address];
  times.push_back(now);
  while (times.size() > max_failures_) times.pop_front();
}

void FailedLoginLimiter::Forget(Clock::time_point now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    if (it->second.empty() || now - it->second.back() >= window_) {
      it = failures_.erase(it);
    } else {
      ++it;
    }
  }
}

std::variant<Caller, ApiError> ApiAccess::Authenticate(const http::HttpRequest& request) {
  const std::string& header = request.Header("authorization");
  if (header.empty() && open_admin_) return Caller{"user:local", ApiRole::kAdmin, {"*"}, "open"};
  std::string address = ClientAddress(request.remote_address);
  auto now = FailedLoginLimiter::Clock::now();
  if (auto wait = limiter_.Blocked(address, now)) {
    return ApiError{429, "rate_limited",
                    "too many failed logins from " + address + "; try again in " + std::to_string(wait->count()) +
                        " s",
                    {{"Retry-After", std::to_string(wait->count())}}};
  }
  if (header.empty()) {
    limiter_.RecordFailure(address, now);
    return Unauthorized("this API needs a token: send Authorization: Bearer TOKEN");
  }
  static constexpr std::string_view kScheme = "bearer ";
  bool bearer = header.size() > kScheme.size();
  for (size_t i = 0; bearer && i < kScheme.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(header[i])) == kScheme[i];
  }
  if (!bearer) {
    limiter_.RecordFailure(address, now);
    return Unauthorized("the Authorization header must be Bearer TOKEN");
  }
  std::string_view token = std::string_view(header).substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  const ApiToken* found = tokens_.Find(token);
  if (found == nullptr) {
    limiter_.RecordFailure(address, now);
    return Unauthorized("the token is not known");  // never echoed: it may be a near miss of a real one
  }
  return Caller{found->person, found->role, found->workspaces, found->name};
}

}  // namespace keel::api
