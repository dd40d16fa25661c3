#include "cli/bench/bench_sinks_receiver.h"

#include "connectors/http/signatures.h"

namespace keel::cli {

Status SinkBenchReceiver::Start(size_t workers, std::string secret) {
  secret_ = std::move(secret);
  http::HttpServerLimits limits;
  // One kept-alive connection per sending thread: every one needs a worker.
  limits.workers = workers;
  server_ = std::make_unique<http::HttpServer>(limits);
  server_->Route("POST", kPath, [this](const http::HttpRequest& request) { return Answer(request); });
  return server_->Start("127.0.0.1", 0);
}

void SinkBenchReceiver::Stop() {
  if (server_) server_->Stop();
}

std::string SinkBenchReceiver::url() const { return "http://127.0.0.1:" + std::to_string(port()) + kPath; }

http::HttpResponse SinkBenchReceiver::Answer(const http::HttpRequest& request) {
  Steady::time_point now = Steady::now();
  const std::string& id = request.Header("idempotency-key");
  // What a receiver does first: check that keel signed this body.
  bool signed_ok = request.Header("x-keel-signature") == "sha256=" + http::HmacSha256Hex(secret_, request.body);
  MutexLock lock(&mu_);
  if (id.empty() || !signed_ok) {
    ++refused_;
    return http::HttpResponse::Text(401, id.empty() ? "no Idempotency-Key" : "bad X-Keel-Signature");
  }
  ++requests_;
  if (first_.emplace(id, now).second) arrived_.SignalAll();
  return http::HttpResponse::Text(200, "ok");
}

void SinkBenchReceiver::Reset() {
  MutexLock lock(&mu_);
  requests_ = 0;
  refused_ = 0;
  first_.clear();
}

bool SinkBenchReceiver::WaitForDistinct(uint64_t count, Steady::time_point deadline) {
  MutexLock lock(&mu_);
  while (first_.size() < count) {
    Steady::time_point now = Steady::now();
    if (now >= deadline) return false;
    arrived_.WaitFor(&mu_, std::chrono::duration_cast<std::chrono::microseconds>(deadline - now));
  }
  return true;
}

SinkBenchReceiver::Tally SinkBenchReceiver::tally() const {
  MutexLock lock(&mu_);
  return {requests_, first_.size(), refused_};
}

std::unordered_map<std::string, SinkBenchReceiver::Steady::time_point> SinkBenchReceiver::Arrivals() const {
  MutexLock lock(&mu_);
  return first_;
}

}  // namespace keel::cli
