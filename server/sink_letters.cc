#include "server/sink_letters.h"

#include <algorithm>
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

std::filesystem::path PartitionSinkLetterDir(const std::filesystem::path& data, std::string_view topic,
                                             int32_t partition) {
  return data / (std::string(sinks::kSinkDeadLetterFolder) + "-" + std::string(topic) + "-" + std::to_string(partition));
}

std::vector<SinkLetterFolder> PartitionSinkLetterFolders(const std::filesystem::path& data) {
  const std::string prefix = std::string(sinks::kSinkDeadLetterFolder) + "-";
  std::vector<SinkLetterFolder> folders;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(data, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || !name.starts_with(prefix) || !entry.is_directory(error)) continue;
    folders.push_back({name.substr(prefix.size()), entry.path()});
  }
  std::sort(folders.begin(), folders.end(),
            [](const SinkLetterFolder& a, const SinkLetterFolder& b) { return a.log < b.log; });
  return folders;
}

sinks::AnswerAppender LocalAnswerAppender(LocalIngest* ingest) {
  return SubmitAnswerAppender(
      [ingest](std::vector<std::string> events, SubmitDone done) { ingest->Submit(std::move(events), std::move(done)); });
}

namespace {

// The letters `ids` of `store` (every one when empty), oldest first.
Result<std::vector<sinks::SinkDeadLetter>> LettersOf(const sinks::SinkDeadLetterStore& store,
                                                     const std::vector<std::string>& ids) {
  if (ids.empty()) return store.List();
  std::vector<sinks::SinkDeadLetter> letters;
  for (const std::string& id : ids) {
    KEEL_ASSIGN_OR_RETURN(sinks::SinkDeadLetter letter, store.Get(id));
    letters.push_back(std::move(letter));
  }
  return letters;
}

// Sends `letters` of `store` again, their events read from `log`, each
// through its sink's channel as `config` has it now; ids in the results
// are prefixed with `id_prefix`.
Result<std::vector<SinkRedriven>> RedriveFrom(const ServeConfig& config, const EventLog& log,
                                              sinks::SinkDeadLetterStore& store,
                                              const std::vector<sinks::SinkDeadLetter>& letters,
                                              const sinks::AnswerAppender& answers, const ExpressionCompiler* compiler,
                                              const SinkChannelBuilders& builders, const std::string& id_prefix) {
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
      results.push_back({id_prefix + letter.id, false, built->second.status().message()});
      continue;
    }
    KEEL_ASSIGN_OR_RETURN(sinks::RedriveOutcome outcome,
                          sinks::RedriveSinkLetter(log, **built->second, store, letter.id, answers, clock));
    results.push_back({id_prefix + outcome.id, outcome.delivered, std::move(outcome.detail)});
  }
  return results;
}

}  // namespace

Result<std::vector<SinkRedriven>> RedriveSinkLetters(const ServeConfig& config, LocalIngest* ingest,
                                                     const ExpressionCompiler* compiler,
                                                     const SinkChannelBuilders& builders,
                                                     const std::vector<std::string>& ids) {
  if (ingest == nullptr || ingest->log() == nullptr) {
    return Status::FailedPrecondition("redrive of the sinks' dead letters works on embedded serve's log");
  }
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<sinks::SinkDeadLetterStore> store,
                        sinks::SinkDeadLetterStore::Open(SinkDeadLetterDir(config.data)));
  KEEL_ASSIGN_OR_RETURN(std::vector<sinks::SinkDeadLetter> letters, LettersOf(*store, ids));
  return RedriveFrom(config, *ingest->log(), *store, letters, LocalAnswerAppender(ingest), compiler, builders, "");
}

Result<std::vector<SinkRedriven>> RedrivePartitionSinkLetters(
    const ServeConfig& config, const sinks::AnswerAppender& answers, const ExpressionCompiler* compiler,
    const std::function<SinkChannelBuilders(const EventLog*)>& builders_on, const std::vector<std::string>& ids) {
  // The ids by partition: TOPIC-PARTITION/SINK-SEQ.
  std::map<std::string, std::vector<std::string>, std::less<>> wanted;
  for (const std::string& id : ids) {
    size_t slash = id.rfind('/');
    if (slash == std::string::npos) {
      return Status::NotFound("no dead letter '" + id + "': with brokers a sink's letters are TOPIC-PARTITION/SINK-SEQ");
    }
    wanted[id.substr(0, slash)].push_back(id.substr(slash + 1));
  }
  std::vector<SinkLetterFolder> folders = PartitionSinkLetterFolders(config.data);
  for (const auto& [log_name, letter_ids] : wanted) {
    // A plain reference for the lambda: clang before 16 cannot capture a structured binding.
    const std::string& log = log_name;
    bool known = std::any_of(folders.begin(), folders.end(),
                             [&log](const SinkLetterFolder& folder) { return folder.log == log; });
    if (!known) return Status::NotFound("no dead letter '" + log_name + "/" + letter_ids.front() + "'");
  }
  std::vector<SinkRedriven> results;
  for (const SinkLetterFolder& folder : folders) {
    auto selected = wanted.find(folder.log);
    if (!ids.empty() && selected == wanted.end()) continue;
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<sinks::SinkDeadLetterStore> store,
                          sinks::SinkDeadLetterStore::Open(folder.path));
    KEEL_ASSIGN_OR_RETURN(std::vector<sinks::SinkDeadLetter> letters,
                          LettersOf(*store, ids.empty() ? std::vector<std::string>{} : selected->second));
    if (letters.empty()) continue;
    // The partition log beside the folder (DATA/TOPIC-PARTITION), read only:
    // the answers reach it through the input topic, as serve's do.
    LogOptions options;
    options.read_only = true;
    Result<std::unique_ptr<EventLog>> log = EventLog::Open(std::filesystem::path(config.data) / folder.log, options);
    if (!log.ok()) return log.status().WithContext("the partition log of " + folder.log);
    KEEL_ASSIGN_OR_RETURN(std::vector<SinkRedriven> redriven,
                          RedriveFrom(config, **log, *store, letters, answers, compiler, builders_on(log->get()),
                                      folder.log + "/"));
    results.insert(results.end(), std::make_move_iterator(redriven.begin()), std::make_move_iterator(redriven.end()));
  }
  return results;
}

}  // namespace keel::server
