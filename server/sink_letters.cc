#include "server/sink_letters.h"

#include <map>

#include "connectors/http/http_client.h"
#include "connectors/sinks/sink_redrive.h"
#include "connectors/webhooks/people.h"
#include "server/email_sink_channel.h"
#include "server/serve_sinks.h"

namespace keel::server {

std::filesystem::path SinkDeadLetterDir(const std::string& data) {
  return std::filesystem::path(data) / sinks::kSinkDeadLetterFolder;
}

sinks::AnswerAppender LocalAnswerAppender(LocalIngest* ingest) {
  return SubmitAnswerAppender(
      [ingest](std::vector<std::string> events, SubmitDone done) { ingest->Submit(std::move(events), std::move(done)); });
}

Result<std::vector<SinkRedriven>> RedriveSinkLetters(const ServeConfig& config, LocalIngest* ingest,
                                                     const ExpressionCompiler* compiler,
                                                     const SinkChannelBuilders& builders,
                                                     const std::vector<std::string>& ids) {
  if (ingest == nullptr || ingest->log() == nullptr) {
    return Status::FailedPrecondition("redrive of the sinks' dead letters works on embedded serve's log");
  }
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<sinks::SinkDeadLetterStore> store,
                        sinks::SinkDeadLetterStore::Open(SinkDeadLetterDir(config.data)));
  std::vector<sinks::SinkDeadLetter> letters;
  if (ids.empty()) {
    KEEL_ASSIGN_OR_RETURN(letters, store->List());
  } else {
    for (const std::string& id : ids) {
      KEEL_ASSIGN_OR_RETURN(sinks::SinkDeadLetter letter, store->Get(id));
      letters.push_back(std::move(letter));
    }
  }
  SinkChannelContext context;
  context.compiler = compiler;
  context.make_http_client = [](const http::HttpClientOptions& options)
      -> Result<std::shared_ptr<const http::HttpClient>> {
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<http::HttpClient> client, http::HttpClient::Create(options));
    return std::shared_ptr<const http::HttpClient>(std::move(client));
  };
  // Email sinks find their recipients in the people files, as serve's do.
  std::map<std::string, std::shared_ptr<const webhooks::PeopleFile>, std::less<>> people;
  for (const auto& [workspace, file] : config.receiver.people) {
    KEEL_ASSIGN_OR_RETURN(webhooks::PeopleFile loaded, webhooks::PeopleFile::LoadFile(file));
    people[workspace] = std::make_shared<const webhooks::PeopleFile>(std::move(loaded));
  }
  SinkChannelBuilders all_builders = builders;
  all_builders.try_emplace("email", EmailChannelBuilder([&people](std::string_view workspace) {
                             auto it = people.find(workspace);
                             return it == people.end() ? nullptr : it->second.get();
                           }));
  std::map<std::string, Result<std::unique_ptr<sinks::Channel>>> channels;  // by sink name, built once
  sinks::AnswerAppender answers = LocalAnswerAppender(ingest);
  SystemClock clock;
  std::vector<SinkRedriven> results;
  for (const sinks::SinkDeadLetter& letter : letters) {
    auto built = channels.find(letter.sink);
    if (built == channels.end()) {
      const SinkConfig* sink = nullptr;
      for (const SinkConfig& candidate : config.sinks) {
        if (candidate.name == letter.sink) sink = &candidate;
      }
      Result<std::unique_ptr<sinks::Channel>> channel =
          sink != nullptr ? BuildSinkChannel(*sink, context, all_builders)
                          : Result<std::unique_ptr<sinks::Channel>>(Status::NotFound(
                                "serve.yaml has no sink " + letter.sink + " any more; the letter is kept"));
      built = channels.emplace(letter.sink, std::move(channel)).first;
    }
    if (!built->second.ok()) {
      results.push_back({letter.id, false, built->second.status().message()});
      continue;
    }
    KEEL_ASSIGN_OR_RETURN(sinks::RedriveOutcome outcome,
                          sinks::RedriveSinkLetter(*ingest->log(), **built->second, *store, letter.id, answers, clock));
    results.push_back({outcome.id, outcome.delivered, std::move(outcome.detail)});
  }
  return results;
}

}  // namespace keel::server
