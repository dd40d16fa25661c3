#include "server/server.h"

#include <chrono>
#include <thread>

#include "connectors/json_log.h"
#include "engine/json_time.h"
#include "rules/expressions.h"
#include "server/api_backends.h"
#include "server/sink_letters.h"

namespace keel::server {
namespace {

Result<KafkaServeOptions> GroupOptions(const ServeConfig& config, const Clock* clock) {
  KafkaServeOptions options;
  options.input_topics = config.input_topics;
  options.group_id = config.group;
  options.dead_letter_topic = config.dead_letter_topic;
  options.partition.data_dir = config.data;
  KEEL_ASSIGN_OR_RETURN(options.partition.log.sync, ParseSyncMode(config.sync));
  options.partition.log.max_cascade_depth = config.max_depth;
  options.partition.decode.max_event_bytes = config.max_event_bytes;
  options.partition.decode.time_window = {.days = config.event_time_window_days, .clock = clock};
  options.partition.outbox.topic = config.output_topic;
  options.partition.outbox.publish_all = config.publish == "all";
  options.kafka = {{"bootstrap.servers", config.brokers}, {"client.id", "keel"}};
  options.kafka.insert(options.kafka.end(), config.kafka.begin(), config.kafka.end());
  options.consumer = config.consumer;
  options.producer = config.producer;
  options.max_batch = config.batch_max_messages;
  options.max_wait = std::chrono::milliseconds(config.batch_max_wait_ms);
  options.ingest_threads = config.ingest_threads;
  options.drain_timeout = std::chrono::milliseconds(config.drain_timeout_ms);
  options.partition.clock = clock;
  return options;
}

LocalIngestOptions EmbeddedOptions(const ServeConfig& config, SyncMode sync, const Clock* clock) {
  LocalIngestOptions options;
  options.dir = EmbeddedLogDir(config.data);
  options.sync = sync;
  options.log.max_cascade_depth = config.max_depth;
  options.decode.max_event_bytes = config.max_event_bytes;
  options.decode.time_window = {.days = config.event_time_window_days, .clock = clock};
  options.clock = clock;
  return options;
}

ServeHttpLimits HttpLimits(const ServeConfig& config) {
  ServeHttpLimits limits;
  limits.max_body_bytes = config.receiver.max_body_bytes;
  // A delivery is answered once its events are durable: its handler waits
  // for the group commit, which a busy disk can slow to seconds.
  if (!config.receiver.empty()) limits.request_deadline = std::chrono::seconds(30);
  return limits;
}

// The producer of what serve hands to the input topic: the receiver's
// deliveries and the sinks' answers.
KafkaSubmitOptions KafkaSubmitOptionsOf(const ServeConfig& config, const KafkaServeOptions& group) {
  KafkaSubmitOptions options;
  options.kafka = group.kafka;
  options.kafka.insert(options.kafka.end(), config.producer.begin(), config.producer.end());
  options.input_topic = config.input_topics.front();
  options.dead_letter_topic = config.dead_letter_topic;
  options.decode = group.partition.decode;
  return options;
}

std::string WallClockRfc3339() {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return FormatRfc3339Micros(micros.count()).value_or("");
}

}  // namespace

std::filesystem::path DeadLetterDir(const std::string& data) {
  return std::filesystem::path(data) / webhooks::kDeadLetterFolder;
}

std::filesystem::path EmbeddedLogDir(const std::string& data) { return std::filesystem::path(data) / "log"; }

Server::Server(const ServeConfig& config, rules::RuleSet set, std::unique_ptr<SchemaRegistry> schemas)
    : set_(std::move(set)),
      schemas_(std::move(schemas)),
      http_(&metrics_, &healthy_, HttpLimits(config)),
      partition_rules_(set_, schemas_.get(), CascadeLimits{config.max_depth, CascadeLimits().max_derived},
                       {.days = config.event_time_window_days, .clock = &wall_clock_}),
      hooks_(partition_rules_.Hooks()) {}

Result<std::unique_ptr<Server>> Server::Create(const std::string& config_path, const ServeConfig& config,
                                               rules::RuleSet set, std::unique_ptr<SchemaRegistry> schemas) {
  std::unique_ptr<Server> server(new Server(config, std::move(set), std::move(schemas)));
  KEEL_ASSIGN_OR_RETURN(KafkaServeOptions options, GroupOptions(config, &server->wall_clock_));
  KEEL_RETURN_IF_ERROR(server->set_.RegisterCustomEventTypes(*server->schemas_));
  server->expressions_ = std::make_unique<rules::CelExpressionCompiler>();
  if (config.brokers.empty()) {
    KEEL_ASSIGN_OR_RETURN(SyncMode sync, ParseSyncMode(config.sync));
    auto local = LocalIngest::Open(EmbeddedOptions(config, sync, &server->wall_clock_), server->hooks_,
                                   server->schemas_.get(), &server->metrics_);
    if (!local.ok()) return Status::InvalidArgument(config_path + ": " + local.status().message());
    server->local_ = std::move(local).value();
    if (Status receiver = server->StartEmbeddedReceiver(config); !receiver.ok()) return receiver.WithContext(config_path);
    if (Status sinks = server->PrepareSinks(config, options); !sinks.ok()) return sinks.WithContext(config_path);
    if (config.http_port != 0) KEEL_RETURN_IF_ERROR(server->http_.Start(config.http_address, config.http_port));
    if (Status api = server->StartApi(config, std::make_unique<LocalApiBackend>(server->local_.get())); !api.ok()) {
      return api.WithContext(config_path);
    }
    return server;
  }
  if (Status receiver = server->StartKafkaReceiver(config, options); !receiver.ok()) {
    return receiver.WithContext(config_path);
  }
  if (Status sinks = server->PrepareSinks(config, options); !sinks.ok()) return sinks.WithContext(config_path);
  options.sinks = &server->sink_parts_;
  options.live_sinks = &server->live_sinks_;
  if (config.api.enabled) {
    // API actions go to the input topic keyed by workspace, as deliveries do.
    if (!server->kafka_submit_) {
      KEEL_ASSIGN_OR_RETURN(server->kafka_submit_,
                            KafkaSubmit::Create(KafkaSubmitOptionsOf(config, options), server->schemas_.get()));
    }
    options.api_logs = &server->held_logs_;
    auto backend = std::make_unique<KafkaApiBackend>(&server->held_logs_, server->kafka_submit_.get());
    if (Status api = server->StartApi(config, std::move(backend)); !api.ok()) return api.WithContext(config_path);
  }
  if (config.http_port != 0) KEEL_RETURN_IF_ERROR(server->http_.Start(config.http_address, config.http_port));
  auto serve = KafkaServe::Create(std::move(options), &server->hooks_, server->schemas_.get(), &server->metrics_);
  if (!serve.ok()) return Status::InvalidArgument(config_path + ": " + serve.status().message());
  server->serve_ = std::move(serve).value();
  return server;
}

Server::~Server() {
  if (api_) api_->Stop();
  http_.Stop();
  serve_.reset();  // its partitions' sinks use what is declared after it
}

Status Server::StartEmbeddedReceiver(const ServeConfig& config) {
  if (config.receiver.empty()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(dead_letters_,
                        webhooks::DeadLetterStore::Open(DeadLetterDir(config.data),
                                                        {.max_letters = config.receiver.max_dead_letters}));
  ReceiverParts parts;
  parts.dead_letters = dead_letters_.get();
  parts.submit = [local = local_.get()](std::vector<std::string> events, SubmitDone done) {
    local->Submit(std::move(events), std::move(done));
  };
  return StartReceiver(config, std::move(parts));
}

// With brokers the receiver produces to the first input topic, keyed by
// workspace, and its dead letters to the dead-letter topic: the partitions'
// owners (this serve or another of the group) append the events.
Status Server::StartKafkaReceiver(const ServeConfig& config, const KafkaServeOptions& group) {
  if (config.receiver.empty()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(kafka_submit_, KafkaSubmit::Create(KafkaSubmitOptionsOf(config, group), schemas_.get()));
  ReceiverParts parts;
  parts.submit = [submit = kafka_submit_.get()](std::vector<std::string> events, SubmitDone done) {
    submit->Submit(std::move(events), std::move(done));
  };
  parts.answers_produced = true;
  parts.produce_dead_letter = [submit = kafka_submit_.get()](const webhooks::DeadLetter& letter) {
    return submit->ProduceDeadLetter(letter);
  };
  return StartReceiver(config, std::move(parts));
}

Status Server::StartReceiver(const ServeConfig& config, ReceiverParts parts) {
  parts.compiler = expressions_.get();
  parts.schemas = schemas_.get();
  parts.now_rfc3339 = WallClockRfc3339;
  KEEL_ASSIGN_OR_RETURN(receiver_, WebhookReceiver::Create(config.receiver, std::move(parts)));
  for (const auto& route : receiver_->Routes()) http_.Route(route.method, route.path, route.handler);
  http_.AddMetrics([receiver = receiver_.get()] { return receiver->PrometheusText(); });
  return Status::OK();
}

Status Server::PrepareSinks(const ServeConfig& config, const KafkaServeOptions& group) {
  if (config.sinks.empty()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(people_, LoadPeopleFiles(config.receiver.people));
  // With brokers each partition keeps its own (KafkaServe).
  if (local_) {
    KEEL_ASSIGN_OR_RETURN(sink_letters_, sinks::SinkDeadLetterStore::Open(SinkDeadLetterDir(config.data)));
  }
  sink_parts_.sinks = config.sinks;
  sink_parts_.compiler = expressions_.get();
  sink_parts_.schemas = schemas_.get();
  sink_parts_.people = &people_;
  sink_parts_.dead_letters = sink_letters_.get();
  if (local_) {
    sink_parts_.append_answers = LocalAnswerAppender(local_.get());
  } else {
    // Answers go to the input topic keyed by workspace, as the receiver's
    // deliveries do: the owner of the workspace's partition appends them.
    if (!kafka_submit_) {
      KEEL_ASSIGN_OR_RETURN(kafka_submit_, KafkaSubmit::Create(KafkaSubmitOptionsOf(config, group), schemas_.get()));
    }
    sink_parts_.append_answers = SubmitAnswerAppender([submit = kafka_submit_.get()](std::vector<std::string> events,
                                                                                     SubmitDone done) {
      submit->Submit(std::move(events), std::move(done));
    });
  }
  KEEL_RETURN_IF_ERROR(CheckSinks(sink_parts_));
  http_.AddMetrics([live = &live_sinks_] { return live->PrometheusText(); });
  if (local_) {
    KEEL_ASSIGN_OR_RETURN(local_sinks_, LogSinks::Create(sink_parts_, local_->log(), &local_->followers()));
    live_sinks_.Add(local_sinks_.get());
  }
  return Status::OK();
}

Status Server::StartApi(const ServeConfig& config, std::unique_ptr<api::ApiBackend> backend) {
  if (!config.api.enabled) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(api::ApiTokens tokens, api::ApiTokens::Load(config.api.tokens_file));
  api_backend_ = std::move(backend);
  api_ = std::make_unique<api::ApiServer>(std::move(tokens), false, api_backend_.get());
  KEEL_RETURN_IF_ERROR(api_->Start(config.api.address, config.api.port));
  Log(LogLevel::kInfo, "keel api listening",
      {{"address", config.api.address}, {"port", std::to_string(api_->port())}});
  return Status::OK();
}

SinkChannelBuilders Server::SinkBuilders() const {
  return ServeChannelBuilders(local_ ? local_->log() : nullptr, &people_, schemas_.get());
}

Result<std::vector<Server::Redriven>> Server::RedriveDeadLetters(const std::vector<std::string>& ids) {
  if (!receiver_) {
    return Status::FailedPrecondition("the configuration has no webhooks (embedded mode), so no dead letters to redrive");
  }
  std::vector<webhooks::DeadLetter> letters;
  if (ids.empty()) {
    KEEL_ASSIGN_OR_RETURN(letters, dead_letters_->List());
  } else {
    for (const std::string& id : ids) {
      KEEL_ASSIGN_OR_RETURN(webhooks::DeadLetter letter, dead_letters_->Get(id));
      letters.push_back(std::move(letter));
    }
  }
  std::vector<Redriven> results;
  for (const webhooks::DeadLetter& letter : letters) {
    KEEL_ASSIGN_OR_RETURN(WebhookReceiver::RedriveResult result, receiver_->Redrive(letter));
    results.push_back({letter.id, result.kind, std::move(result.detail)});
  }
  return results;
}

Status Server::Run(const std::atomic<bool>& stop) {
  if (local_) return RunEmbedded(stop);
  Status served = serve_->Run(stop);
  healthy_.store(false);
  if (api_) api_->Stop();
  serve_.reset();
  return served;
}

// The writer thread does the work; this one waits for the stop, or for a
// failed write (a full disk), which ends serving as it does with Kafka.
Status Server::RunEmbedded(const std::atomic<bool>& stop) {
  if (local_sinks_) local_sinks_->Start();
  Status served;
  while (!stop.load() && served.ok()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    served = local_->failure();
  }
  healthy_.store(false);
  http_.Stop();  // no request may submit to a closed log
  if (api_) api_->Stop();
  // The sinks stop before the log closes: Close stores their last cursors,
  // and a try in flight may still append its answers.
  if (local_sinks_) local_sinks_->Stop();
  Status closed = local_->Close();
  return served.ok() ? closed : served;
}

}  // namespace keel::server
