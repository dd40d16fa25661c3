// RecordingHttpServer: an HTTP server on 127.0.0.1 for the sinks' tests. It
// records every request (method, path, headers, body, time of arrival) and
// answers as the test scripted: a fixed answer, a sequence for the next
// requests (two 503s, then 200), a delay before answering, or no answer at
// all (the request is held until the server stops). It speaks HTTPS when
// asked, with a self-signed certificate made at start.
//
// Thread safety: every method may be called from any thread while requests
// arrive; requests are answered on the server's own threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
}

namespace keel::testing {

class TempDir;

struct RecordedRequest {
  std::string method;
  std::string path;   // as sent, without the query
  std::string query;  // after '?', decoded by the server ("" when none)
  // Names lower-cased; a header sent several times is joined with ", ".
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::steady_clock::time_point arrived;  // when the whole request was in

  // The header's value, or "" when absent. `name` is lower-case.
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const { return headers.count(name) != 0; }
};

struct ScriptedAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Content-Length
  std::chrono::milliseconds delay{0};  // waited before answering (cut short when the server stops)
  bool never = false;                  // hold the request until the server stops

  static ScriptedAnswer Status(int status, std::string body = "");
  static ScriptedAnswer Json(int status, std::string body);
  static ScriptedAnswer Never();
  ScriptedAnswer&& WithHeader(std::string name, std::string value) &&;
  ScriptedAnswer&& After(std::chrono::milliseconds wait) &&;
};

struct RecordingHttpServerOptions {
  bool tls = false;  // HTTPS with a self-signed certificate for 127.0.0.1 (CertificateFile())
};

class RecordingHttpServer {
 public:
  // Listens on 127.0.0.1 at a free port and answers 200 "ok" until told
  // otherwise. Throws std::runtime_error when it cannot listen.
  explicit RecordingHttpServer(RecordingHttpServerOptions options = {});
  ~RecordingHttpServer();  // Stop()
  RecordingHttpServer(const RecordingHttpServer&) = delete;
  RecordingHttpServer& operator=(const RecordingHttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" (https:// with tls) + path.
  std::string Url(const std::string& path = "/") const;
  // The self-signed certificate (PEM) to trust as a CA file; "" without tls.
  std::string CertificateFile() const;

  // The answer once the queued ones (AnswerNext) are used up.
  void AnswerAlways(ScriptedAnswer answer);
  // Answers for the next requests, in order of arrival; queued after any
  // not yet used.
  void AnswerNext(std::vector<ScriptedAnswer> answers);
  // Computes each answer from the request instead of AnswerAlways (the
  // queued ones still come first). Runs on the server's threads.
  void AnswerWith(std::function<ScriptedAnswer(const RecordedRequest&)> answer);

  std::vector<RecordedRequest> Requests() const;
  size_t RequestCount() const;
  // Waits until at least `count` requests have arrived (held ones count).
  // False when `timeout` passed first.
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout) const;

  // Releases every held or delayed request, stops listening and joins the
  // server's threads. Idempotent.
  void Stop();

 private:
  ScriptedAnswer Record(RecordedRequest request);
  // Waits out `answer`'s delay or hold; false when the server is stopping.
  bool Hold(const ScriptedAnswer& answer);

  std::unique_ptr<TempDir> dir_;  // the certificate, with tls
  std::string certificate_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::vector<RecordedRequest> requests_;              // guarded by mu_
  std::deque<ScriptedAnswer> next_;                    // guarded by mu_
  ScriptedAnswer always_ = ScriptedAnswer::Status(200, "ok");  // guarded by mu_
  std::function<ScriptedAnswer(const RecordedRequest&)> compute_;  // guarded by mu_
  bool stopping_ = false;                              // guarded by mu_
};

}  // namespace keel::testing
