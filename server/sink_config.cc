#include "server/sink_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "server/webhook_config.h"

namespace keel::server {
namespace {

const std::vector<std::string> kKinds = {"webhook", "slack", "teams", "email", "http"};

// Which kinds take a setting; the settings every sink takes are not listed.
const std::map<std::string, std::set<std::string>>& KindsOfSetting() {
  static const std::map<std::string, std::set<std::string>> kinds = {
      {"url", {"webhook", "slack", "teams"}},
      {"url_env", {"slack", "teams"}},
      {"mode", {"webhook"}},
      {"secret_env", {"webhook"}},
      {"text", {"slack", "teams", "email"}},
      {"smtp", {"email"}},
      {"starttls", {"email"}},
      {"username_env", {"email"}},
      {"password_env", {"email"}},
      {"from", {"email"}},
      {"subject", {"email"}},
      {"action", {"http"}},
      {"mapping", {"http"}},
      {"vars", {"http"}},
      {"auth", {"http"}},
  };
  return kinds;
}

const std::set<std::string> kCommonSettings = {"name",    "kind",       "types",     "if",     "concurrency",
                                               "rate_per_second", "max_pending", "retry", "timeout",
                                               "tls_verify", "ca_file"};

bool IsSinkName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

bool IsEnvironmentName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// An event type ("task.created"), a glob of one kind ("task.*"), or "*"
// (every type the sink is given, input events aside).
bool IsTypeSelector(const std::string& type) {
  if (type == "*") return true;
  std::string_view name = type;
  if (name.ends_with(".*")) name.remove_suffix(2);
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) return false;
  }
  return name.front() != '.' && name.back() != '.';
}

// "250ms", "1s", "5m", "1h" -> milliseconds; false for anything else.
bool ParseDuration(const std::string& text, std::chrono::milliseconds* out) {
  int64_t count = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc() || end == text.data() || count < 0) return false;
  std::string_view unit(end, text.data() + text.size() - end);
  int64_t scale = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60000 : unit == "h" ? 3600000 : 0;
  if (scale == 0 || count > INT64_MAX / scale) return false;
  *out = std::chrono::milliseconds(count * scale);
  return true;
}

class SinkReader {
 public:
  SinkReader(const std::string& file, std::string what) : file_(file), what_(std::move(what)) {}

  void Named(const std::string& name) { what_ += " (" + name + ")"; }

  Status Error(const YAML::Node& node, const std::string& message) const {
    return Status::InvalidArgument(file_ + ":" + std::to_string(node.Mark().line + 1) + ": " + what_ + ": " + message);
  }

  Status String(const YAML::Node& node, const std::string& key, std::string* out) const {
    if (!node.IsScalar() || node.Scalar().empty()) return Error(node, "'" + key + "' must be a non-empty string");
    *out = node.Scalar();
    return Status::OK();
  }

  Status EnvironmentName(const YAML::Node& node, const std::string& key, std::string* out) const {
    KEEL_RETURN_IF_ERROR(String(node, key, out));
    if (!IsEnvironmentName(*out)) {
      return Error(node, "'" + key + "' must name an environment variable (letters, digits and '_'), not hold the "
                                     "secret itself");
    }
    return Status::OK();
  }

  Status Bool(const YAML::Node& node, const std::string& key, bool* out) const {
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, *out)) {
      return Error(node, "'" + key + "' must be true or false");
    }
    return Status::OK();
  }

  template <typename Number>
  Status Integer(const YAML::Node& node, const std::string& key, int64_t min, int64_t max, Number* out) const {
    int64_t value = 0;
    if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value) || value < min || value > max) {
      return Error(node, "'" + key + "' must be a whole number from " + std::to_string(min) + " to " +
                             std::to_string(max));
    }
    *out = static_cast<Number>(value);
    return Status::OK();
  }

  Status Rate(const YAML::Node& node, const std::string& key, double* out) const {
    double value = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value) || value <= 0 ||
        value > 1e6) {
      return Error(node, "'" + key + "' must be a number of requests per second above 0 (at most 1000000)");
    }
    *out = value;
    return Status::OK();
  }

  Status Duration(const YAML::Node& node, const std::string& key, std::chrono::milliseconds min,
                  std::chrono::milliseconds* out) const {
    if (!node.IsScalar() || !ParseDuration(node.Scalar(), out) || *out < min) {
      return Error(node, "'" + key + "' must be a duration like 250ms, 1s, 5m or 1h (at least " +
                             std::to_string(min.count()) + "ms)");
    }
    return Status::OK();
  }

  Status Types(const YAML::Node& node, std::vector<std::string>* out) const {
    std::vector<YAML::Node> items;
    if (node.IsScalar()) items.push_back(node);
    else if (node.IsSequence() && node.size() > 0) {
      for (const YAML::Node& item : node) items.push_back(item);
    } else return Error(node, "'types' must be a list of event types or KIND.* globs");
    for (const YAML::Node& item : items) {
      if (!item.IsScalar() || !IsTypeSelector(item.Scalar())) {
        return Error(item, "'types': '" + (item.IsScalar() ? item.Scalar() : std::string("?")) +
                               "' is neither an event type (task.created) nor a glob of one kind (task.*)");
      }
      out->push_back(item.Scalar());
    }
    return Status::OK();
  }

  // A map of settings, each once, each known.
  Status Map(const YAML::Node& node, const std::string& key,
             const std::map<std::string, std::function<Status(const YAML::Node&)>>& settings) const {
    if (!node.IsMap()) return Error(node, "'" + key + "' must be a map of settings");
    std::set<std::string> seen;
    for (const auto& pair : node) {
      const std::string name = pair.first.Scalar();
      auto it = settings.find(name);
      if (it == settings.end()) {
        std::string known;
        for (const auto& [k, _] : settings) known += (known.empty() ? "" : ", ") + k;
        return Error(pair.first, "'" + key + "': unknown setting '" + name + "' (known: " + known + ")");
      }
      if (!seen.insert(name).second) return Error(pair.first, "'" + key + "." + name + "' is set twice");
      KEEL_RETURN_IF_ERROR(it->second(pair.second));
    }
    return Status::OK();
  }

  Status Retry(const YAML::Node& node, SinkRetryConfig* out) const {
    return Map(node, "retry",
               {{"max_attempts", [&](auto& n) { return Integer(n, "retry.max_attempts", 1, 1000, &out->max_attempts); }},
                {"initial_delay",
                 [&](auto& n) { return Duration(n, "retry.initial_delay", std::chrono::milliseconds(1), &out->initial_delay); }},
                {"max_delay",
                 [&](auto& n) { return Duration(n, "retry.max_delay", std::chrono::milliseconds(1), &out->max_delay); }}});
  }

  Status Vars(const YAML::Node& node, std::map<std::string, std::string>* out) const {
    if (!node.IsMap()) return Error(node, "'vars' must map names to strings");
    for (const auto& pair : node) {
      if (!pair.second.IsScalar()) return Error(pair.second, "'vars." + pair.first.Scalar() + "' must be a string");
      if (!out->emplace(pair.first.Scalar(), pair.second.Scalar()).second) {
        return Error(pair.first, "'vars." + pair.first.Scalar() + "' is set twice");
      }
    }
    return Status::OK();
  }

  Status Auth(const YAML::Node& node, SinkAuthConfig* out) const {
    KEEL_RETURN_IF_ERROR(Map(node, "auth",
                             {{"scheme", [&](auto& n) { return String(n, "auth.scheme", &out->scheme); }},
                              {"username_env", [&](auto& n) { return EnvironmentName(n, "auth.username_env", &out->username_env); }},
                              {"password_env", [&](auto& n) { return EnvironmentName(n, "auth.password_env", &out->password_env); }},
                              {"token_env", [&](auto& n) { return EnvironmentName(n, "auth.token_env", &out->token_env); }},
                              {"header", [&](auto& n) { return String(n, "auth.header", &out->header); }},
                              {"value_env", [&](auto& n) { return EnvironmentName(n, "auth.value_env", &out->value_env); }}}));
    const SinkAuthConfig& a = *out;
    bool basic = !a.username_env.empty() && !a.password_env.empty() && a.token_env.empty() && a.header.empty() &&
                 a.value_env.empty();
    bool bearer = a.username_env.empty() && a.password_env.empty() && !a.token_env.empty() && a.header.empty() &&
                  a.value_env.empty();
    bool header = a.username_env.empty() && a.password_env.empty() && a.token_env.empty() && !a.header.empty() &&
                  !a.value_env.empty();
    if (a.scheme == "basic" && basic) return Status::OK();
    if (a.scheme == "bearer" && bearer) return Status::OK();
    if (a.scheme == "header" && header) return Status::OK();
    return Error(node, "'auth' must be {scheme: basic, username_env, password_env}, {scheme: bearer, token_env} or "
                       "{scheme: header, header, value_env}");
  }

  Status Setting(const std::string& key, const YAML::Node& value, SinkConfig* sink) const {
    if (key == "types") return Types(value, &sink->types);
    if (key == "if") return String(value, key, &sink->condition);
    if (key == "concurrency") return Integer(value, key, 1, 256, &sink->concurrency);
    if (key == "rate_per_second") return Rate(value, key, &sink->rate_per_second);
    if (key == "max_pending") return Integer(value, key, 1, 10000000, &sink->max_pending);
    if (key == "retry") return Retry(value, &sink->retry);
    if (key == "timeout") return Duration(value, key, std::chrono::milliseconds(1), &sink->timeout);
    if (key == "tls_verify") return Bool(value, key, &sink->tls_verify);
    if (key == "ca_file") return String(value, key, &sink->ca_file);
    if (key == "url") return String(value, key, &sink->url);
    if (key == "url_env") return EnvironmentName(value, key, &sink->url_env);
    if (key == "mode") {
      KEEL_RETURN_IF_ERROR(String(value, key, &sink->mode));
      if (sink->mode != "structured" && sink->mode != "binary") {
        return Error(value, "'mode' must be structured or binary (the CloudEvents HTTP content modes)");
      }
      return Status::OK();
    }
    if (key == "secret_env") return EnvironmentName(value, key, &sink->secret_env);
    if (key == "text") return String(value, key, &sink->text);
    if (key == "smtp") return String(value, key, &sink->smtp);
    if (key == "starttls") return Bool(value, key, &sink->starttls);
    if (key == "username_env") return EnvironmentName(value, key, &sink->username_env);
    if (key == "password_env") return EnvironmentName(value, key, &sink->password_env);
    if (key == "from") return String(value, key, &sink->from);
    if (key == "subject") return String(value, key, &sink->subject);
    if (key == "action") return String(value, key, &sink->action);
    if (key == "mapping") return String(value, key, &sink->mapping);
    if (key == "vars") return Vars(value, &sink->vars);
    if (key == "auth") return Auth(value, &sink->auth);
    return Status::OK();  // name and kind, read first
  }

  // What a sink of its kind must have, once every key is read.
  Status Complete(const YAML::Node& entry, const SinkConfig& sink) const {
    bool http_url = sink.kind == "webhook" || sink.kind == "slack" || sink.kind == "teams";
    if (http_url && sink.url.empty() == sink.url_env.empty()) {
      return Error(entry, sink.kind == "webhook" ? "'url' is required"
                                                 : "set exactly one of 'url' and 'url_env' (the URL is a secret: "
                                                   "prefer url_env)");
    }
    if (!sink.url.empty() && !sink.url.starts_with("http://") && !sink.url.starts_with("https://")) {
      return Error(entry, "'url' must start with http:// or https://");
    }
    if (sink.kind == "email") {
      if (sink.smtp.empty()) return Error(entry, "'smtp' is required (smtp://HOST:PORT or smtps://HOST:PORT)");
      if (!sink.smtp.starts_with("smtp://") && !sink.smtp.starts_with("smtps://")) {
        return Error(entry, "'smtp' must start with smtp:// or smtps://");
      }
      if (sink.from.empty()) return Error(entry, "'from' is required (the sender's address)");
      if (sink.username_env.empty() != sink.password_env.empty()) {
        return Error(entry, "set both 'username_env' and 'password_env', or neither");
      }
    }
    if (sink.kind == "http" && sink.action.empty() == sink.mapping.empty()) {
      return Error(entry, "set exactly one of 'action' (a built-in action mapping) and 'mapping' (an action "
                          "mapping file)");
    }
    if (sink.retry.initial_delay > sink.retry.max_delay) {
      return Error(entry, "'retry.initial_delay' must not be above 'retry.max_delay'");
    }
    return Status::OK();
  }

 private:
  const std::string& file_;
  std::string what_;
};

std::string KnownSettingsOf(const std::string& kind) {
  std::string known;
  for (const std::string& key : kCommonSettings) known += (known.empty() ? "" : ", ") + key;
  for (const auto& [key, kinds] : KindsOfSetting()) {
    if (kinds.contains(kind)) known += ", " + key;
  }
  return known;
}

Result<SinkConfig> ReadSink(const SinkReader& reader_base, const YAML::Node& entry) {
  SinkReader reader = reader_base;
  if (!entry.IsMap()) return reader.Error(entry, "must be a map of settings");
  SinkConfig sink;
  sink.line = entry.Mark().line + 1;
  if (!entry["name"]) return reader.Error(entry, "'name' is required");
  KEEL_RETURN_IF_ERROR(reader.String(entry["name"], "name", &sink.name));
  if (!IsSinkName(sink.name)) {
    return reader.Error(entry["name"], "the sink name '" + sink.name + "' must be 1 to 64 of a-z, 0-9, '.', '_', '-'");
  }
  reader.Named(sink.name);
  if (!entry["kind"]) return reader.Error(entry, "'kind' is required (webhook, slack, teams, email or http)");
  KEEL_RETURN_IF_ERROR(reader.String(entry["kind"], "kind", &sink.kind));
  if (std::find(kKinds.begin(), kKinds.end(), sink.kind) == kKinds.end()) {
    return reader.Error(entry["kind"], "unknown kind '" + sink.kind + "' (webhook, slack, teams, email or http)");
  }
  std::set<std::string> seen;
  for (const auto& pair : entry) {
    const std::string key = pair.first.Scalar();
    if (!seen.insert(key).second) return reader.Error(pair.first, "'" + key + "' is set twice");
    auto kinds = KindsOfSetting().find(key);
    if (kinds == KindsOfSetting().end() && !kCommonSettings.contains(key)) {
      return reader.Error(pair.first, "unknown setting '" + key + "' (a " + sink.kind +
                                          " sink takes: " + KnownSettingsOf(sink.kind) + ")");
    }
    if (kinds != KindsOfSetting().end() && !kinds->second.contains(sink.kind)) {
      return reader.Error(pair.first, "'" + key + "' is not a setting of a " + sink.kind + " sink (it takes: " +
                                          KnownSettingsOf(sink.kind) + ")");
    }
    KEEL_RETURN_IF_ERROR(reader.Setting(key, pair.second, &sink));
  }
  KEEL_RETURN_IF_ERROR(reader.Complete(entry, sink));
  return sink;
}

}  // namespace

Status ReadSinksSetting(const std::string& file, const YAML::Node& node, std::vector<SinkConfig>* out) {
  if (!node.IsSequence()) {
    return Status::InvalidArgument(file + ":" + std::to_string(node.Mark().line + 1) +
                                   ": 'sinks' must be a list of sinks");
  }
  std::map<std::string, int> names;
  for (size_t i = 0; i < node.size(); ++i) {
    SinkReader reader(file, "sinks[" + std::to_string(i) + "]");
    KEEL_ASSIGN_OR_RETURN(SinkConfig sink, ReadSink(reader, node[i]));
    if (auto [first, fresh] = names.emplace(sink.name, sink.line); !fresh) {
      return Status::InvalidArgument(file + ":" + std::to_string(sink.line) + ": sinks[" + std::to_string(i) +
                                     "]: the sink name '" + sink.name + "' is used twice (first on line " +
                                     std::to_string(first->second) + ")");
    }
    out->push_back(std::move(sink));
  }
  return Status::OK();
}

std::vector<std::string> SinkConfigWarnings(const SinkConfig& sink) {
  std::vector<std::string> warnings;
  const std::string who = "sink " + sink.name + ": ";
  if (!sink.tls_verify) {
    warnings.push_back(who + "tls_verify is false: the receiver's certificate is not checked (for a test server only)");
  }
  if ((sink.kind == "slack" || sink.kind == "teams") && !sink.url.empty()) {
    warnings.push_back(who + "the " + sink.kind + " URL is written in the configuration file; whoever reads it can "
                       "post: move it to an environment variable and name it with url_env");
  }
  if (!sink.secret_env.empty() && sink.url.starts_with("http://")) {
    warnings.push_back(who + "signed requests go over plain http://: anyone on the way can read the events");
  }
  return warnings;
}

Result<SinkSecrets> ResolveSinkSecrets(const SinkConfig& sink) {
  SinkSecrets secrets;
  auto read = [&](const std::string& variable, const char* key, std::string* out) -> Status {
    if (variable.empty()) return Status::OK();
    KEEL_ASSIGN_OR_RETURN(*out, SecretFromEnvironment(variable, std::string(key) + " of sink " + sink.name));
    return Status::OK();
  };
  KEEL_RETURN_IF_ERROR(read(sink.secret_env, "secret_env", &secrets.secret));
  KEEL_RETURN_IF_ERROR(read(sink.url_env, "url_env", &secrets.url));
  if (sink.url_env.empty()) secrets.url = sink.url;
  KEEL_RETURN_IF_ERROR(read(sink.username_env, "username_env", &secrets.username));
  KEEL_RETURN_IF_ERROR(read(sink.password_env, "password_env", &secrets.password));
  KEEL_RETURN_IF_ERROR(read(sink.auth.username_env, "auth.username_env", &secrets.username));
  KEEL_RETURN_IF_ERROR(read(sink.auth.password_env, "auth.password_env", &secrets.password));
  KEEL_RETURN_IF_ERROR(read(sink.auth.token_env, "auth.token_env", &secrets.token));
  KEEL_RETURN_IF_ERROR(read(sink.auth.value_env, "auth.value_env", &secrets.header_value));
  return secrets;
}

http::HttpClientOptions HttpClientOptionsOf(const SinkConfig& sink) {
  http::HttpClientOptions options;
  options.timeout = sink.timeout;
  options.connect_timeout = std::min(options.connect_timeout, sink.timeout);
  options.verify_tls = sink.tls_verify;
  options.ca_file = sink.ca_file;
  return options;
}

}  // namespace keel::server
