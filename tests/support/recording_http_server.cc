#include "tests/support/recording_http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "tests/support/self_signed_certificate.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

// Enough workers that held requests never keep the next ones waiting.
constexpr size_t kWorkers = 32;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

RecordedRequest FromHttplib(const httplib::Request& request) {
  RecordedRequest recorded;
  recorded.method = request.method;
  recorded.path = request.path;
  size_t question = request.target.find('?');
  if (question != std::string::npos) recorded.query = request.target.substr(question + 1);
  for (const auto& [name, value] : request.headers) {
    // cpp-httplib adds these itself; they were not sent.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") continue;
    std::string& joined = recorded.headers[Lower(name)];
    joined = joined.empty() ? value : joined + ", " + value;
  }
  recorded.body = request.body;
  recorded.arrived = std::chrono::steady_clock::now();
  return recorded;
}

}  // namespace

std::string RecordedRequest::Header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? "" : found->second;
}

ScriptedAnswer ScriptedAnswer::Status(int status, std::string body) {
  ScriptedAnswer answer;
  answer.status = status;
  answer.body = std::move(body);
  return answer;
}

ScriptedAnswer ScriptedAnswer::Json(int status, std::string body) {
  ScriptedAnswer answer = Status(status, std::move(body));
  answer.content_type = "application/json";
  return answer;
}

ScriptedAnswer ScriptedAnswer::Never() {
  ScriptedAnswer answer;
  answer.never = true;
  return answer;
}

ScriptedAnswer&& ScriptedAnswer::WithHeader(std::string name, std::string value) && {
  headers.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}

ScriptedAnswer&& ScriptedAnswer::After(std::chrono::milliseconds wait) && {
  delay = wait;
  return std::move(*this);
}

RecordingHttpServer::RecordingHttpServer(RecordingHttpServerOptions options) {
  if (options.tls) {
    dir_ = std::make_unique<TempDir>();
    SelfSignedCertificate made = MakeSelfSignedCertificate(dir_->path());
    certificate_ = made.cert.string();
    auto https = std::make_unique<httplib::SSLServer>(made.cert.c_str(), made.key.c_str());
    if (!https->is_valid()) throw std::runtime_error("RecordingHttpServer: cannot load the test certificate");
    server_ = std::move(https);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  server_->set_keep_alive_timeout(1);
  server_->set_tcp_nodelay(true);  // else each answer on a kept-alive connection waits for a delayed ACK
  server_->set_payload_max_length(64 << 20);
  auto handle = [this](const httplib::Request& request, httplib::Response& response) {
    ScriptedAnswer answer = Record(FromHttplib(request));
    if (!Hold(answer)) {
      response.status = 503;  // stopping: the test is over and nobody reads this
      response.set_header("Connection", "close");
      return;
    }
    response.status = answer.status;
    for (const auto& [name, value] : answer.headers) response.set_header(name, value);
    response.set_content(answer.body, answer.content_type.c_str());
  };
  const std::string any = ".*";
  server_->Get(any, handle).Post(any, handle).Put(any, handle).Patch(any, handle).Delete(any, handle).Options(any, handle);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("RecordingHttpServer: cannot listen on 127.0.0.1");
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  // Stop() can stop only a server that runs: wait for the accept loop.
  for (int waited_ms = 0; !server_->is_running(); ++waited_ms) {
    if (waited_ms == 5000) throw std::runtime_error("RecordingHttpServer: the accept loop did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

RecordingHttpServer::~RecordingHttpServer() { Stop(); }

std::string RecordingHttpServer::Url(const std::string& path) const {
  return (certificate_.empty() ? "http" : "https") + std::string("://127.0.0.1:") + std::to_string(port_) + path;
}

std::string RecordingHttpServer::CertificateFile() const { return certificate_; }

void RecordingHttpServer::AnswerAlways(ScriptedAnswer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  always_ = std::move(answer);
}

void RecordingHttpServer::AnswerNext(std::vector<ScriptedAnswer> answers) {
  std::lock_guard<std::mutex> lock(mu_);
  for (ScriptedAnswer& answer : answers) next_.push_back(std::move(answer));
}

void RecordingHttpServer::AnswerWith(std::function<ScriptedAnswer(const RecordedRequest&)> answer) {
  std::lock_guard<std::mutex> lock(mu_);
  compute_ = std::move(answer);
}

std::vector<RecordedRequest> RecordingHttpServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t RecordingHttpServer::RequestCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool RecordingHttpServer::WaitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

ScriptedAnswer RecordingHttpServer::Record(RecordedRequest request) {
  std::function<ScriptedAnswer(const RecordedRequest&)> compute;
  ScriptedAnswer answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    changed_.notify_all();
    if (!next_.empty()) {
      answer = std::move(next_.front());
      next_.pop_front();
      return answer;
    }
    if (!compute_) return always_;
    compute = compute_;
  }
  return compute(request);  // outside the lock: it may take its time
}

bool RecordingHttpServer::Hold(const ScriptedAnswer& answer) {
  std::unique_lock<std::mutex> lock(mu_);
  auto stopping = [this] { return stopping_; };
  if (answer.never) {
    changed_.wait(lock, stopping);
  } else if (answer.delay.count() > 0) {
    changed_.wait_for(lock, answer.delay, stopping);
  }
  return !stopping_;
}

void RecordingHttpServer::Stop() {
  // The listening socket goes first: a worker whose held request is then
  // released sees it closed and ends its connection instead of waiting on
  // it for the client's next request.
  server_->stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (listener_.joinable()) listener_.join();
}

}  // namespace keel::testing
