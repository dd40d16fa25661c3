#include "tests/kafka/kafka_support.h"
#include "tests/support/file_text.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>

namespace keel::testing {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& message) { throw std::runtime_error(message); }

rd_kafka_t* NewClient(rd_kafka_type_t type, const std::vector<std::pair<std::string, std::string>>& properties,
                      const std::function<void(rd_kafka_conf_t*)>& customize = nullptr) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      Fail("librdkafka property " + name + ": " + error);
    }
  }
  if (customize) customize(conf);
  rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof error);
  if (client == nullptr) Fail(std::string("rd_kafka_new: ") + error);
  return client;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stderr_file,
                           bool pipes, std::optional<uint64_t> max_file_bytes) {
  int in[2] = {-1, -1}, out[2] = {-1, -1};
  if (pipes && (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)) Fail("pipe failed");
  int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err < 0) Fail("cannot open " + stderr_file.string());
  pid_ = ::fork();
  if (pid_ < 0) Fail("fork failed");
  if (pid_ == 0) {
    if (pipes) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
    } else {
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, STDIN_FILENO);
      ::dup2(err, STDOUT_FILENO);
    }
    ::dup2(err, STDERR_FILENO);
    if (max_file_bytes) {
      ::signal(SIGXFSZ, SIG_IGN);  // stays ignored across exec
      rlimit limit{*max_file_bytes, *max_file_bytes};
      ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(err);
  if (pipes) {
    ::close(in[0]);
    ::close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
  }
}

ChildProcess::~ChildProcess() {
  if (to_child_ >= 0) ::close(to_child_);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (from_child_ >= 0) ::close(from_child_);
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (size_t end = buffered_.find('\n'); end != std::string::npos) {
      std::string line = buffered_.substr(0, end);
      buffered_.erase(0, end + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd fd{from_child_, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left)) <= 0) continue;
    char buffer[4096];
    ssize_t n = ::read(from_child_, buffer, sizeof buffer);
    if (n <= 0) return std::nullopt;
    buffered_.append(buffer, static_cast<size_t>(n));
  }
}

void ChildProcess::WriteLine(const std::string& line) {
  std::string text = line + "\n";
  if (::write(to_child_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) Fail("cannot write to child");
}

void ChildProcess::Signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

MockCluster::MockCluster(const std::filesystem::path& log_dir) {
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{KEEL_MOCK_CLUSTER}, log_dir / "mock_cluster.log",
                                            /*pipes=*/true);
  std::optional<std::string> line = process_->ReadLine(30s);
  if (!line || !line->starts_with("bootstrap ")) Fail("the mock cluster did not print its bootstrap servers");
  bootstrap_ = line->substr(std::strlen("bootstrap "));
}

MockCluster::~MockCluster() { Stop(); }

void MockCluster::Stop() {
  if (!process_->running()) return;
  process_->WriteLine("quit");
  process_->Wait(10s);
}

void MockCluster::Command(const std::string& line) {
  process_->WriteLine(line);
  std::optional<std::string> answer = process_->ReadLine(30s);
  if (!answer || *answer != "ok") Fail("mock cluster command '" + line + "' answered '" + answer.value_or("") + "'");
}

void MockCluster::CreateTopic(const std::string& name, int partitions) {
  Command("topic " + name + " " + std::to_string(partitions));
}

std::string Record::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

void ProduceAll(const std::string& bootstrap, const std::string& topic, const std::vector<Record>& records) {
  std::atomic<int> first_error{RD_KAFKA_RESP_ERR_NO_ERROR};
  rd_kafka_t* producer = NewClient(
      RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}, {"enable.idempotence", "true"}}, [&](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
          int none = RD_KAFKA_RESP_ERR_NO_ERROR;
          if (message->err) static_cast<std::atomic<int>*>(opaque)->compare_exchange_strong(none, message->err);
        });
        rd_kafka_conf_set_opaque(conf, &first_error);
      });
  for (const Record& record : records) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(record.headers.size());
    for (const auto& [name, value] : record.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    while (true) {
      rd_kafka_resp_err_t error = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
      if (error == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) Fail(std::string("produce: ") + rd_kafka_err2str(error));
      rd_kafka_poll(producer, 50);
    }
  }
  rd_kafka_resp_err_t flushed = rd_kafka_flush(producer, 60000);
  rd_kafka_destroy(producer);
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) Fail("the test producer could not deliver its messages in 60 s");
  if (first_error.load() != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Fail(std::string("the test producer failed to deliver a message: ") +
         rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(first_error.load())));
  }
}

std::vector<Record> ConsumeUntil(const std::string& bootstrap, const std::string& topic, int partitions,
                                 const std::function<bool(const std::vector<Record>&)>& done,
                                 std::chrono::milliseconds timeout, const std::string& what) {
  rd_kafka_t* consumer = NewClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap},
                                                        {"group.id", "keel-test-reader"},
                                                        {"enable.auto.commit", "false"}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<Record> records;
  auto deadline = Clock::now() + timeout;
  bool finished = done(records);
  while (!finished && Clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Record record;
      if (message->key) record.key.assign(static_cast<const char*>(message->key), message->key_len);
      if (message->payload) record.value.assign(static_cast<const char*>(message->payload), message->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          record.headers.emplace_back(name, std::string(static_cast<const char*>(value), size));
        }
      }
      record.partition = message->partition;
      record.offset = message->offset;
      records.push_back(std::move(record));
      finished = done(records);
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  if (!finished) {
    Fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for " + what + " on topic '" + topic +
         "' (read " + std::to_string(records.size()) + " messages)");
  }
  return records;
}

std::string TaskCreated(const std::string& id, const std::string& workspace) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"tracker/test","type":"task.created",)" +
         R"("time":"2026-03-02T09:00:00Z","subject":"task/)" + id + R"(","workspace":")" + workspace +
         R"(","actor":"user:alice","data":{"title":"Task )" + id + R"(","status":"todo"}})";
}

std::vector<Record> TaskEvents(const std::string& prefix, int count, int workspaces) {
  std::vector<Record> records;
  for (int i = 0; i < count; ++i) {
    std::string workspace = "ws" + std::to_string(i % workspaces);
    records.push_back({workspace, TaskCreated(prefix + "-" + std::to_string(i), workspace), {}});
  }
  return records;
}

std::filesystem::path WriteCommentRulePack(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "rules");
  std::ofstream(dir / "rules" / "comment.yaml") << "id: comment-on-new-task\n"
                                                   "on: task.created\n"
                                                   "then:\n"
                                                   "  - add_comment: \"Seen {{ event.subject }}\"\n";
  return dir;
}

std::filesystem::path WriteServeConfig(const std::filesystem::path& file, const ServeSettings& s) {
  std::ofstream out(file);
  out << "brokers: \"" << s.bootstrap << "\"\n"
      << "group: " << s.group << "\n"
      << "input_topics: [" << s.input << "]\n"
      << "output_topic: " << s.output << "\n"
      << "dead_letter_topic: " << s.dead_letters << "\n"
      << "data: " << s.data.string() << "\n"
      << "rules: " << s.rules.string() << "\n"
      << "sync: off\n"
      << "http_port: " << s.http_port << "\n"
      // Fast group membership and retries, so rebalances take seconds. The
      // session timeout must stay above 3 s: librdkafka 2.0.2's mock holds
      // the first JoinGroup of an empty group for 3 s and nothing renews the
      // member's session meanwhile, so a shorter session expires the
      // joining member and drops its JoinGroup answer; the consumer then
      // waits max.poll.interval.ms + 3 s (5 min) and meets the same fate
      // again. A broker refuses a session under 6 s anyway
      // (group.min.session.timeout.ms).
      << "consumer:\n  session.timeout.ms: 6000\n  heartbeat.interval.ms: 500\n"
      << "kafka:\n  topic.metadata.refresh.interval.ms: 1000\n  reconnect.backoff.max.ms: 500\n";
  for (const auto& [key, value] : s.extra) out << key << ": " << value << "\n";
  return file;
}

KeelServe::KeelServe(const std::filesystem::path& config, const std::filesystem::path& log,
                     std::optional<uint64_t> max_file_bytes)
    : log_(log) {
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{std::string(KEEL_BINARY_DIR) + "/keel", "serve", "--config", config.string()}, log,
      /*pipes=*/false, max_file_bytes);
}

std::optional<int> KeelServe::WaitForExit(std::chrono::milliseconds timeout) { return process_->Wait(timeout); }

int KeelServe::Stop(int signal, std::chrono::milliseconds timeout) {
  process_->Signal(signal);
  std::optional<int> code = process_->Wait(timeout);
  if (!code) Fail("keel serve did not stop within " + std::to_string(timeout.count()) + " ms of signal " +
                  std::to_string(signal) + "; log:\n" +
                  LogText());
  return *code;
}

void KeelServe::Kill() {
  process_->Signal(SIGKILL);
  process_->Wait(10s);
}

void KeelServe::WaitForLog(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (LogText().find(text) != std::string::npos) return;
    std::this_thread::sleep_for(50ms);
  }
  Fail("keel serve's log has no '" + text + "' after " + std::to_string(timeout.count()) + " ms; log:\n" + LogText());
}

std::string KeelServe::LogText() const { return ReadFileText(log_); }

std::string JsonField(const std::string& json, const std::string& field) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_object() || !parsed.contains(field) || !parsed[field].is_string()) return "";
  return parsed[field].get<std::string>();
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::pair<int, std::string> HttpGet(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto response = client.Get(path.c_str());
  if (!response) return {0, ""};
  return {response->status, response->body};
}

int AssignedPartitions(int port) {
  auto [status, text] = HttpGet(port, "/metrics");
  std::smatch match;
  static const std::regex kGauge("keel_assigned_partitions (\\d+)");
  if (status != 200 || !std::regex_search(text, match, kGauge)) return -1;
  return std::stoi(match[1]);
}

// Waits until the instances on `ports` hold `expected` partitions each.
void WaitForAssignment(const std::vector<int>& ports, const std::vector<int>& expected,
                       std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    seen.clear();
    bool all = true;
    for (size_t i = 0; i < ports.size(); ++i) {
      int held = AssignedPartitions(ports[i]);
      seen += std::to_string(held) + " ";
      all = all && held == expected[i];
    }
    if (all) return;
    std::this_thread::sleep_for(200ms);
  }
  throw std::runtime_error("partitions held: " + seen + "; expected them split as wanted within " +
                           std::to_string(timeout.count()) + " ms");
}

}  // namespace keel::testing

