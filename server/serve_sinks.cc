#include "server/serve_sinks.h"

#include <algorithm>

#include "connectors/http/http_client.h"
#include "connectors/json_log.h"
#include "server/email_sink_channel.h"
#include "server/sink_follower.h"
#include "server/sink_http_action.h"
#include "server/sink_options.h"

namespace keel::server {
namespace {

// The subject's current state in `log` as JSON; null without a subject or a state.
Result<nlohmann::json> EntityJson(const EventLog& log, const StoredEvent& stored) {
  const Event& event = stored.event;
  if (event.entity.kind.empty()) return nlohmann::json(nullptr);
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> state, log.GetEntity(event.workspace, event.entity));
  if (!state) return nlohmann::json(nullptr);
  return nlohmann::json::parse(state->ToCanonical());
}

const webhooks::PeopleFile* PeopleOf(const LoadedPeople* people, std::string_view workspace) {
  if (people == nullptr) return nullptr;
  auto file = people->find(workspace);
  return file == people->end() ? nullptr : file->second.get();
}

}  // namespace

Result<LoadedPeople> LoadPeopleFiles(const std::map<std::string, std::string>& files) {
  LoadedPeople people;
  for (const auto& [workspace, file] : files) {
    KEEL_ASSIGN_OR_RETURN(webhooks::PeopleFile loaded, webhooks::PeopleFile::LoadFile(file));
    people[workspace] = std::make_shared<const webhooks::PeopleFile>(std::move(loaded));
  }
  return people;
}

SinkChannelBuilders ServeChannelBuilders(const EventLog* log, const LoadedPeople* people,
                                         const SchemaRegistry* schemas) {
  SinkChannelBuilders builders = WebhookAndChatChannelBuilders();
  builders["email"] = EmailChannelBuilder([people](std::string_view workspace) { return PeopleOf(people, workspace); });
  HttpActionSinkContext http;
  if (log != nullptr) {
    http.entity = [log](const StoredEvent& event) { return EntityJson(*log, event); };
  }
  http.people = [people](std::string_view workspace) -> const PeopleDirectory* { return PeopleOf(people, workspace); };
  http.schemas = schemas;
  builders["http"] = HttpActionChannelBuilder(std::move(http));
  return builders;
}

SinkChannelContext ServeChannelContext(const ExpressionCompiler* compiler) {
  SinkChannelContext context;
  context.compiler = compiler;
  context.make_http_client = [](const http::HttpClientOptions& options)
      -> Result<std::shared_ptr<const http::HttpClient>> {
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<http::HttpClient> client, http::HttpClient::Create(options));
    return std::shared_ptr<const http::HttpClient>(std::move(client));
  };
  return context;
}

Status CheckSinks(const SinkServeParts& parts) {
  SinkChannelBuilders builders = ServeChannelBuilders(nullptr, parts.people, parts.schemas);
  SinkChannelContext context = ServeChannelContext(parts.compiler);
  for (const SinkConfig& sink : parts.sinks) {
    for (const std::string& warning : SinkConfigWarnings(sink)) {
      Log(LogLevel::kWarning, warning, {{"sink", sink.name}});
    }
    KEEL_RETURN_IF_ERROR(BuildSinkChannel(sink, context, builders).status());
  }
  return Status::OK();
}

Result<std::unique_ptr<LogSinks>> LogSinks::Create(const SinkServeParts& parts, EventLog* log,
                                                   AppendFollowers* followers) {
  std::unique_ptr<LogSinks> sinks(new LogSinks(followers));
  SinkChannelBuilders builders = ServeChannelBuilders(log, parts.people, parts.schemas);
  SinkChannelContext context = ServeChannelContext(parts.compiler);
  for (const SinkConfig& sink : parts.sinks) {
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<sinks::Channel> channel, BuildSinkChannel(sink, context, builders));
    sinks::SinkParts runner_parts;
    runner_parts.log = log;
    runner_parts.channel = std::move(channel);
    runner_parts.dead_letters = parts.dead_letters;
    runner_parts.expressions = parts.compiler;
    runner_parts.append_answers = parts.append_answers;
    Result<std::unique_ptr<sinks::SinkRunner>> runner = sinks::SinkRunner::Create(SinkOptionsOf(sink), runner_parts);
    if (!runner.ok()) return runner.status().WithContext("sink " + sink.name);
    sinks->runners_.push_back(std::move(runner).value());
  }
  for (const auto& runner : sinks->runners_) {
    sinks->following_.push_back(SinkFollower(runner.get()));
    followers->Add(sinks->following_.back());
  }
  return sinks;
}

LogSinks::~LogSinks() {
  Stop();
  for (const auto& follower : following_) followers_->Remove(follower.get());
}

void LogSinks::Start() {
  for (const auto& runner : runners_) runner->Start();
}

void LogSinks::Stop() {
  for (const auto& runner : runners_) runner->Stop();
}

std::vector<sinks::SinkMetrics> LogSinks::Metrics() const {
  std::vector<sinks::SinkMetrics> metrics;
  for (const auto& runner : runners_) metrics.push_back(runner->Metrics());
  return metrics;
}

std::vector<sinks::SinkMetrics> MergeSinkMetrics(const std::vector<sinks::SinkMetrics>& metrics) {
  std::vector<sinks::SinkMetrics> merged;
  for (const sinks::SinkMetrics& one : metrics) {
    auto same = std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.sink == one.sink; });
    if (same == merged.end()) {
      merged.push_back(one);
      continue;
    }
    same->delivered += one.delivered;
    same->ignored += one.ignored;
    same->retried += one.retried;
    same->dead_lettered += one.dead_lettered;
    same->condition_errors += one.condition_errors;
    same->lag_events += one.lag_events;
    same->oldest_undelivered_seconds = std::max(same->oldest_undelivered_seconds, one.oldest_undelivered_seconds);
    same->pending += one.pending;
    same->stalled += one.stalled;
  }
  return merged;
}

}  // namespace keel::server
