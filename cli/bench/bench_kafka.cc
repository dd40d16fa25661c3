// keel bench kafka: `keel serve` against librdkafka's mock cluster on
// loopback (3 brokers, in this process), as a separate process:
//   throughput: N synthetic events fed to a 6-partition topic in rounds
//               while serve consumes them with 100 rules; events/s from the
//               first round produced to the last event ingested (read from
//               serve's /metrics);
//   ceiling:    kcat alone consuming what the same topic still holds
//               (bench_kafka_kcat.cc);
//   latency:    events produced at a steady rate while serve runs; for each
//               derived event, the time from producing its input to reading
//               it from the output topic (p50, p99).
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cli/bench/bench.h"
#include "cli/bench/bench_kafka.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "connectors/kafka/kafka_client.h"
#include "connectors/synthetic_events.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct KafkaBenchFlags {
  uint64_t events = 1000000;
  int partitions = 6;
  int rate = 5000;
  int latency_seconds = 10;
  // Events per round; 0: 3000 per partition. The mock cluster keeps about
  // 5 MB per partition and up to two rounds are unconsumed at a time, so a
  // round must stay well under 2.5 MB on the fullest partition.
  uint64_t round = 0;
  int kcat_seconds = 120;
  // serve's `sync` setting. off by default: Kafka keeps the input, so what
  // an unsynced write-ahead log loses in a machine crash is consumed again
  // from the offsets the log kept, and derived again with the same ids.
  std::string sync = "off";
  std::string dir;
  bool json = false;
};

constexpr const char* kInput = "bench-in";
constexpr const char* kOutput = "bench-out";

// The mock cluster, owned by a client handle of this process.
class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> Start(int brokers) {
    KEEL_ASSIGN_OR_RETURN(KafkaConfig config, KafkaConfig::Make({{"log_level", "3"}}));
    KEEL_ASSIGN_OR_RETURN(KafkaHandle owner, config.Create(RD_KAFKA_PRODUCER));
    rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner.get(), brokers);
    if (cluster == nullptr) return Status::Internal("cannot start the mock cluster");
    return std::unique_ptr<MockCluster>(new MockCluster(std::move(owner), cluster));
  }
  ~MockCluster() { rd_kafka_mock_cluster_destroy(cluster_); }
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  Status CreateTopic(const std::string& name, int partitions) {
    return KafkaStatus(rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 3), "create topic " + name);
  }

 private:
  MockCluster(KafkaHandle owner, rd_kafka_mock_cluster_t* cluster) : owner_(std::move(owner)), cluster_(cluster) {}
  KafkaHandle owner_;
  rd_kafka_mock_cluster_t* cluster_;
};

std::string_view WorkspaceOf(std::string_view event) {
  constexpr std::string_view kField = "\"workspace\":\"";
  size_t start = event.find(kField);
  if (start == std::string_view::npos) return {};
  start += kField.size();
  return event.substr(start, event.find('"', start) - start);
}

std::string_view IdOf(std::string_view event, std::string_view field = "\"id\":\"") {
  size_t start = event.find(field);
  if (start == std::string_view::npos) return {};
  start += field.size();
  return event.substr(start, event.find('"', start) - start);
}

Status ProduceOne(rd_kafka_t* producer, std::string_view event) {
  std::string_view key = WorkspaceOf(event);
  while (true) {
    rd_kafka_resp_err_t error =
        rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(kInput), RD_KAFKA_V_KEY(key.data(), key.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(event.data()), event.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
    if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) return KafkaStatus(error, "produce");
    rd_kafka_poll(producer, 10);
  }
}

// Delivery reports of the benchmark's own producers: the first error, kept.
void KeepFirstError(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* first = static_cast<std::atomic<int>*>(opaque);
  int none = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) first->compare_exchange_strong(none, message->err);
}

// Produces synthetic events `first` .. `first + count - 1` with the
// idempotent producer (a retried batch is neither lost nor doubled: the
// input must hold exactly the events counted) and waits for every
// acknowledgement.
Status Feed(rd_kafka_t* producer, const std::atomic<int>& first_error, uint64_t first, uint64_t count) {
  SyntheticEvents source(SyntheticOptions{.workspaces = 48});
  std::string line;
  for (uint64_t n = first; n < first + count; ++n) {
    line.clear();
    source.Append(n, &line);
    KEEL_RETURN_IF_ERROR(ProduceOne(producer, line));
  }
  KEEL_RETURN_IF_ERROR(KafkaStatus(rd_kafka_flush(producer, 300000), "flush"));
  return KafkaStatus(static_cast<rd_kafka_resp_err_t>(first_error.load()), "an input event was not delivered");
}

// `keel serve` in a child process; stopped with SIGTERM.
class ServeChild {
 public:
  ServeChild(const fs::path& config, const fs::path& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark
      FILE* out = std::freopen(log.c_str(), "w", stderr);
      (void)out;
      ::execl("/proc/self/exe", "keel", "serve", "--config", config.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~ServeChild() { Stop(); }
  // SIGTERM; SIGKILL when serve has not stopped after `grace`.
  int Stop(std::chrono::seconds grace = std::chrono::seconds(60)) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, SIGTERM);
    int status = 0;
    auto deadline = Clock::now() + grace;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// CPU used in the throughput phase, per event: by keel serve, and by this
// process (the mock brokers, the producer feeding them, /metrics polls),
// which shares the machine with it. Their sum bounds the rate on `cores`.
struct CpuCost {
  double serve_us_per_event = 0;
  double harness_us_per_event = 0;
  unsigned cores = 0;
  double BoundEventsPerSecond() const {
    double total = serve_us_per_event + harness_us_per_event;
    return total > 0 ? cores * 1e6 / total : 0;
  }
};

// keel_events_in_total + keel_duplicates_total + keel_dead_letters_total from /metrics; -1 when unreachable.
int64_t EventsHandled(httplib::Client& client) {
  auto response = client.Get("/metrics");
  if (!response || response->status != 200) return -1;
  int64_t total = 0;
  static const std::regex kCounter("^keel_(events_in|duplicates|dead_letters)_total (\\d+)$");
  std::istringstream lines(response->body);
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, match, kCounter)) total += std::stoll(match[2]);
  }
  return total;
}

struct Throughput {
  double events_per_s = 0;
  double seconds = 0;
};

// Waits until serve has handled `events`. Gives up when the count stands
// still for a minute: input the mock dropped before serve read it never
// comes, and a benchmark that waits for it never ends.
Status WaitForHandled(httplib::Client& client, uint64_t events, Progress* progress, uint64_t total) {
  constexpr auto kStall = std::chrono::minutes(1);
  int64_t last = -1;
  auto moved = Clock::now();
  while (true) {
    int64_t handled = EventsHandled(client);
    if (handled >= static_cast<int64_t>(events)) return Status::OK();
    if (handled != last) {
      last = handled;
      moved = Clock::now();
    } else if (Clock::now() - moved >= kStall) {
      return Status::IOError("keel serve stalled at " + std::to_string(last) + " of " + std::to_string(events) +
                             " events for a minute (unreachable, or input dropped by the mock cluster before it "
                             "was consumed: try a smaller --round)");
    }
    if (handled >= 0) progress->Update(static_cast<uint64_t>(handled), total);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The events go in rounds of at most `round`, each produced while serve
// consumes the one before: librdkafka's mock keeps only a few MB per
// partition (older messages are dropped), so the whole input can never sit
// in the topic at once. Events/s from the first round produced to the last
// event ingested.
Result<Throughput> MeasureThroughput(const std::string& bootstrap, httplib::Client& client, uint64_t events,
                                     uint64_t round) {
  KEEL_ASSIGN_OR_RETURN(KafkaConfig config, KafkaConfig::Make({{"bootstrap.servers", bootstrap},
                                                               {"enable.idempotence", "true"},
                                                               {"linger.ms", "20"},
                                                               {"queue.buffering.max.messages", "500000"}}));
  std::atomic<int> first_error{RD_KAFKA_RESP_ERR_NO_ERROR};
  rd_kafka_conf_set_dr_msg_cb(config.get(), KeepFirstError);
  rd_kafka_conf_set_opaque(config.get(), &first_error);
  KEEL_ASSIGN_OR_RETURN(KafkaHandle producer, config.Create(RD_KAFKA_PRODUCER));
  Progress progress("serve");
  auto start = Clock::now();
  for (uint64_t first = 0; first < events; first += round) {
    uint64_t count = std::min(round, events - first);
    // Room in the topic: everything before this round is consumed.
    KEEL_RETURN_IF_ERROR(WaitForHandled(client, first > round ? first - round : 0, &progress, events));
    KEEL_RETURN_IF_ERROR(Feed(producer.get(), first_error, first, count));
  }
  KEEL_RETURN_IF_ERROR(WaitForHandled(client, events, &progress, events));
  Throughput t;
  t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  t.events_per_s = static_cast<double>(events) / t.seconds;
  return t;
}

// Waits until serve holds every input partition.
Status WaitForAssignment(httplib::Client& client, int partitions) {
  auto deadline = Clock::now() + std::chrono::minutes(2);
  static const std::regex kGauge("keel_assigned_partitions (\\d+)");
  while (Clock::now() < deadline) {
    auto response = client.Get("/metrics");
    std::smatch match;
    if (response && response->status == 200 && std::regex_search(response->body, match, kGauge) &&
        std::stoi(match[1]) == partitions) {
      return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::IOError("keel serve was not assigned the input partitions within 2 minutes");
}

struct Latency {
  size_t samples = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// Produces at `rate` events/s for `seconds`; reads the output and matches
// derived events to their inputs by correlationid. Reading goes on until
// serve has handled every input (`handled_before` + what was produced) and
// a little longer for the outbox, so that when serve falls behind the slow
// samples count too rather than being cut off.
Result<Latency> MeasureLatency(const std::string& bootstrap, const KafkaBenchFlags& flags, httplib::Client& client,
                               uint64_t handled_before) {
  // librdkafka's default linger (5 ms): the mock returns one message set per
  // partition and fetch, so unbatched input would cap what serve can read.
  KEEL_ASSIGN_OR_RETURN(KafkaConfig producer_config,
                        KafkaConfig::Make({{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}}));
  KEEL_ASSIGN_OR_RETURN(KafkaHandle producer, producer_config.Create(RD_KAFKA_PRODUCER));
  KEEL_ASSIGN_OR_RETURN(KafkaConfig consumer_config, KafkaConfig::Make({{"bootstrap.servers", bootstrap},
                                                                        {"group.id", "keel-bench-latency"},
                                                                        {"fetch.wait.max.ms", "5"},
                                                                        {"enable.auto.commit", "false"}}));
  KEEL_ASSIGN_OR_RETURN(KafkaHandle consumer, consumer_config.Create(RD_KAFKA_CONSUMER));
  PartitionList list(rd_kafka_topic_partition_list_new(flags.partitions));
  for (int p = 0; p < flags.partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), kOutput, p)->offset = RD_KAFKA_OFFSET_END;
  }
  KEEL_RETURN_IF_ERROR(KafkaStatus(rd_kafka_assign(consumer.get(), list.get()), "assign"));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the consumer finds the end first

  std::unordered_map<std::string, Clock::time_point> sent;
  std::vector<double> latencies;
  SyntheticEvents source(SyntheticOptions{.workspaces = 48, .seed = 7, .id_prefix = "lat"});
  uint64_t total = static_cast<uint64_t>(flags.rate) * static_cast<uint64_t>(flags.latency_seconds);
  auto start = Clock::now();
  auto read_output = [&](int timeout_ms) {
    KafkaMessage message(rd_kafka_consumer_poll(consumer.get(), timeout_ms));
    if (!message || message->err) return;
    std::string_view value = MessageValue(message.get());
    auto it = sent.find(std::string(IdOf(value, "\"correlationid\":\"")));
    if (it == sent.end()) return;
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
  };
  std::string line;
  for (uint64_t n = 0; n < total; ++n) {
    auto due = start + std::chrono::microseconds(n * 1000000 / static_cast<uint64_t>(flags.rate));
    while (Clock::now() < due) read_output(0);
    line.clear();
    source.Append(n, &line);
    sent[std::string(IdOf(line))] = Clock::now();
    KEEL_RETURN_IF_ERROR(ProduceOne(producer.get(), line));
    rd_kafka_poll(producer.get(), 0);
  }
  int64_t last = -1;
  auto moved = Clock::now();
  while (true) {
    int64_t handled = EventsHandled(client);
    if (handled >= static_cast<int64_t>(handled_before + total)) break;
    if (handled != last) {
      last = handled;
      moved = Clock::now();
    } else if (Clock::now() - moved >= std::chrono::minutes(1)) {
      return Status::IOError("keel serve stalled in the latency phase at " + std::to_string(last) + " events");
    }
    for (int i = 0; i < 4; ++i) read_output(5);
  }
  auto drain_until = Clock::now() + std::chrono::seconds(2);
  while (Clock::now() < drain_until) read_output(50);
  rd_kafka_consumer_close(consumer.get());
  Latency latency;
  latency.samples = latencies.size();
  if (latencies.empty()) {
    // The synthetic workload's first 10,000 events create entities, which no
    // bench rule reacts to: a phase of 2 seconds at 5,000/s derives nothing.
    return Status::Internal("no derived event of the latency phase reached the output (" + std::to_string(total) +
                            " inputs; a phase of 3 seconds or more at 5,000/s derives some)");
  }
  std::sort(latencies.begin(), latencies.end());
  latency.p50_ms = latencies[latencies.size() / 2];
  latency.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  latency.max_ms = latencies.back();
  return latency;
}

// A port nobody listens on now, for serve's HTTP endpoint.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

Status WriteConfig(const fs::path& root, const std::string& bootstrap, int port, const std::string& sync) {
  fs::create_directories(root / "pack" / "rules");
  for (const auto& [name, text] : BenchRatioRules()) std::ofstream(root / "pack" / name) << text;
  std::ofstream(root / "serve.yaml") << "brokers: \"" << bootstrap << "\"\n"
                                     << "group: keel-bench\n"
                                     << "input_topics: [" << kInput << "]\n"
                                     << "output_topic: " << kOutput << "\n"
                                     << "dead_letter_topic: bench-dead\n"
                                     << "data: " << (root / "data").string() << "\n"
                                     << "rules: " << (root / "pack").string() << "\n"
                                     << "sync: " << sync << "\n"
                                     << "http_address: 127.0.0.1\n"
                                     << "http_port: " << port << "\n"
                                     // The mock answers a fetch that finds no data only after
                                     // fetch.wait.max.ms (500 by default), even when data comes
                                     // meanwhile; a broker answers when it comes.
                                     << "consumer:\n  fetch.wait.max.ms: 5\n";
  return Status::OK();
}

int RunKafkaBenchmark(const KafkaBenchFlags& flags) {
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-kafka-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root);
  auto cluster = MockCluster::Start(3);
  if (!cluster.ok()) return ReportError("bench kafka", cluster.status());
  std::string bootstrap = (*cluster)->bootstrap();
  for (const auto& [topic, partitions] : {std::pair<const char*, int>{kInput, flags.partitions},
                                          {kOutput, flags.partitions}, {"bench-dead", 1}}) {
    if (Status s = (*cluster)->CreateTopic(topic, partitions); !s.ok()) return ReportError("bench kafka", s);
  }
  int port = FreePort();
  if (Status s = WriteConfig(root, bootstrap, port, flags.sync); !s.ok()) return ReportError("bench kafka", s);
  ServeChild serve(root / "serve.yaml", root / "serve.log");
  httplib::Client client("127.0.0.1", port);
  if (Status s = WaitForAssignment(client, flags.partitions); !s.ok()) return ReportError("bench kafka", s);
  uint64_t round = flags.round != 0 ? flags.round : 3000 * static_cast<uint64_t>(flags.partitions);
  double serve_cpu = ProcessCpuSeconds(serve.pid()), harness_cpu = ProcessCpuSeconds(::getpid());
  auto throughput = MeasureThroughput(bootstrap, client, flags.events, round);
  if (!throughput.ok()) return ReportError("bench kafka", throughput.status());
  CpuCost cpu;
  cpu.serve_us_per_event = (ProcessCpuSeconds(serve.pid()) - serve_cpu) * 1e6 / static_cast<double>(flags.events);
  cpu.harness_us_per_event = (ProcessCpuSeconds(::getpid()) - harness_cpu) * 1e6 / static_cast<double>(flags.events);
  cpu.cores = std::max(1u, std::thread::hardware_concurrency());
  // Nothing is produced to the input now, so what it holds stays put.
  auto kcat = MeasureKcat(bootstrap, kInput, flags.partitions, flags.kcat_seconds);
  if (!kcat.ok() && kcat.status().code() != StatusCode::kNotFound) return ReportError("bench kafka", kcat.status());
  KcatCeiling ceiling = kcat.ok() ? *kcat : KcatCeiling{};
  double kcat_rate = ceiling.events_per_s;
  auto latency = MeasureLatency(bootstrap, flags, client, flags.events);
  if (!latency.ok()) return ReportError("bench kafka", latency.status());
  int exit = serve.Stop();
  fs::remove_all(root, ec);

  if (flags.json) {
    PrintJson({{"events", flags.events},
               {"brokers", 3},
               {"partitions", flags.partitions},
               {"rules", 100},
               {"sync", flags.sync},
               {"serve_events_per_s", throughput->events_per_s},
               {"serve_seconds", throughput->seconds},
               {"round", round},
               {"serve_cpu_us_per_event", cpu.serve_us_per_event},
               {"harness_cpu_us_per_event", cpu.harness_us_per_event},
               {"cores", cpu.cores},
               {"cpu_bound_events_per_s", cpu.BoundEventsPerSecond()},
               {"kcat_events_per_s", kcat_rate},
               {"kcat_messages", ceiling.messages},
               {"kcat_expected", ceiling.expected},
               {"kcat_seconds", ceiling.seconds},
               {"kcat_finished", ceiling.finished},
               {"ratio_to_kcat", kcat_rate > 0 ? throughput->events_per_s / kcat_rate : 0},
               {"latency_rate_per_s", flags.rate},
               {"latency_samples", latency->samples},
               {"latency_p50_ms", latency->p50_ms},
               {"latency_p99_ms", latency->p99_ms},
               {"latency_max_ms", latency->max_ms},
               {"serve_exit_code", exit}});
  } else {
    std::printf("events               %llu on %d partitions, 3 brokers, 100 rules, sync %s\n",
                static_cast<unsigned long long>(flags.events), flags.partitions, flags.sync.c_str());
    std::printf("keel serve           %.0f events/s (%.2f s)\n", throughput->events_per_s, throughput->seconds);
    std::printf("CPU per event        serve %.1f us, mock brokers and producer %.1f us: at most %.0f events/s on %u "
                "cores\n",
                cpu.serve_us_per_event, cpu.harness_us_per_event, cpu.BoundEventsPerSecond(), cpu.cores);
    std::printf("kcat (consume only)  %.0f events/s over %llu of the %llu messages the topic still holds%s\n",
                kcat_rate, static_cast<unsigned long long>(ceiling.messages),
                static_cast<unsigned long long>(ceiling.expected),
                ceiling.finished ? "" : " (stopped at the time limit)");
    if (kcat_rate > 0) std::printf("serve / kcat         %.2f\n", throughput->events_per_s / kcat_rate);
    std::printf("latency at %d/s      p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu derived events)\n", flags.rate,
                latency->p50_ms, latency->p99_ms, latency->max_ms, latency->samples);
  }
  return exit == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddKafkaBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<KafkaBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "kafka", "keel serve against librdkafka's mock cluster (3 brokers on loopback): events/s through serve with "
               "100 rules, kcat's consume rate of the same topic as the ceiling, and end-to-end latency (input "
               "produced to derived event read) at a steady rate");
  command->add_option("--events", flags->events, "Events preloaded and served")
      ->capture_default_str()
      ->check(WholeNumber("an event count", 1));
  command->add_option("--partitions", flags->partitions, "Partitions of the input and output topics")
      ->capture_default_str()
      ->check(WholeNumber("a partition count", 1, 64));
  command->add_option("--rate", flags->rate, "Events/s of the latency phase")
      ->capture_default_str()
      ->check(WholeNumber("a rate in events/s", 1, 100000));
  command->add_option("--latency-seconds", flags->latency_seconds, "Length of the latency phase")
      ->capture_default_str()
      ->check(WholeNumber("a phase length in seconds", 1, 600));
  command->add_option("--round", flags->round,
                      "Events produced per round while serve consumes (default: 3000 per partition)")
      ->check(WholeNumber("events per round", 0));
  command->add_option("--kcat-seconds", flags->kcat_seconds, "kcat is stopped after this long")
      ->capture_default_str()
      ->check(WholeNumber("a time limit in seconds", 1, 3600));
  AddSyncOption(command, &flags->sync, "serve's durability setting: always, batch (serve's default) or off");
  command->add_option("--dir", flags->dir, "Scratch folder (default: under the temp folder; removed afterwards)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunKafkaBenchmark(*flags); });
}

}  // namespace keel::cli
