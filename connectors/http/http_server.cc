#include "connectors/http/http_server.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>
#include <thread>

#include "connectors/http/socket_stream.h"
#include "connectors/http/worker_pool.h"
#include "engine/mutex.h"
#include "engine/thread_annotations.h"

namespace keel::http {
namespace {

using HandlerResponse = httplib::Server::HandlerResponse;

constexpr int kListenBacklog = 128;

// The connection the calling worker serves: cpp-httplib's hooks get only the
// request, and each connection is served start to end on one worker.
struct Connection {
  SocketStream* stream;
  bool close_after_answer = false;  // a refused body is left unread
  bool dispatched = false;          // the current request reached its handler
};
thread_local Connection* current_connection = nullptr;

// Makes `connection` the worker's current one for its lifetime.
class CurrentConnection {
 public:
  explicit CurrentConnection(Connection* connection) { current_connection = connection; }
  ~CurrentConnection() { current_connection = nullptr; }
  CurrentConnection(const CurrentConnection&) = delete;
  CurrentConnection& operator=(const CurrentConnection&) = delete;
};

bool TakesBody(const std::string& method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// cpp-httplib adds these to the request's headers itself.
bool AddedByHttplib(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT";
}

void Refuse(httplib::Response& res, int status, const std::string& reason) {
  res.status = status;
  res.set_content(reason + "\n", "text/plain; charset=utf-8");
  res.set_header("Connection", "close");
  if (current_connection != nullptr) current_connection->close_after_answer = true;
}

Status ListenError(const std::string& where, int error) {
  if (error == EADDRINUSE) {
    return Status::IOError("cannot listen for HTTP on " + where +
                           ": the port is in use (another keel serve, or another program, listens on it)");
  }
  return Status::IOError("cannot listen for HTTP on " + where + ": " + std::strerror(error));
}

}  // namespace

const std::string& HttpRequest::Header(const std::string& name) const {
  static const std::string kNone;
  auto found = headers.find(name);
  return found == headers.end() ? kNone : found->second;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

// What cpp-httplib gets as its task queue (and deletes when it stops
// listening): the server's own pool, which outlives it, so a stop can always
// reach the pool.
class PoolHandle final : public httplib::TaskQueue {
 public:
  explicit PoolHandle(WorkerPool* pool) : pool_(pool) {}
  void enqueue(std::function<void()> task) override { pool_->enqueue(std::move(task)); }
  void shutdown() override { pool_->shutdown(); }

 private:
  WorkerPool* pool_;
};

// cpp-httplib's server with keel's connection loop: each connection is read
// through a SocketStream that enforces the deadlines and the head limit, and
// every request is screened (route, method, body) before its body is read.
class HttpServer::Impl final : public httplib::Server {
 public:
  using Methods = std::map<std::string, HttpHandler>;  // by method

  explicit Impl(HttpServerLimits limits) : limits_(limits) {
    new_task_queue = [this] { return new PoolHandle(pool_.get()); };
    // Only SO_REUSEADDR (restart while old connections sit in TIME_WAIT);
    // cpp-httplib's default also sets SO_REUSEPORT, which would let a
    // second server listen on the same port.
    set_socket_options([](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    set_tcp_nodelay(true);
    // What cpp-httplib announces in Keep-Alive; Serve enforces it.
    set_keep_alive_timeout(std::max<time_t>(1, limits_.keep_alive_timeout.count() / 1000));
    set_keep_alive_max_count(limits_.max_requests_per_connection);
    set_payload_max_length(limits_.max_body_bytes);
    set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return Screen(req, res); });
    set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
      return Screen(req, res) == HandlerResponse::Handled ? res.status : 100;
    });
    set_error_handler(HandlerWithResponse(
        [](const httplib::Request&, httplib::Response& res) { return ExplainError(res); }));
    // Without this, cpp-httplib would send an exception's text to the client.
    set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      res.status = 500;
      res.set_content("internal error\n", "text/plain; charset=utf-8");
    });
    auto dispatch = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res); };
    Get(".*", dispatch);
    Post(".*", dispatch);
    Put(".*", dispatch);
    Patch(".*", dispatch);
    Delete(".*", dispatch);
    Options(".*", dispatch);
  }

  void Route(const std::string& method, const std::string& path, HttpHandler handler) {
    routes_[path][method] = std::move(handler);
  }

  void RoutePrefix(const std::string& method, const std::string& prefix, HttpHandler handler) {
    prefix_routes_[prefix][method] = std::move(handler);
  }

  Result<int> Bind(const std::string& address, int port) {
    std::string where = address + ":" + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    if (int error = getaddrinfo(address.c_str(), nullptr, &hints, &found); error != 0) {
      return Status::InvalidArgument("cannot listen for HTTP on " + where + ": " + gai_strerror(error));
    }
    freeaddrinfo(found);
    errno = 0;
    int bound = port;
    if (port == 0) {
      bound = bind_to_any_port(address);
    } else if (!bind_to_port(address, port)) {
      bound = -1;
    }
    if (bound < 0) return ListenError(where, errno != 0 ? errno : EADDRNOTAVAIL);
    // cpp-httplib listens with a backlog of 5; a burst of clients needs more.
    ::listen(svr_sock_, kListenBacklog);
    return bound;
  }

  void Run() {
    pool_ = std::make_unique<WorkerPool>(limits_.workers, limits_.max_queued_connections, &stopping_);
    listener_ = std::thread([this] {
      listen_after_bind();
      listener_done_.store(true);
    });
    // cpp-httplib's stop() does nothing before the listening loop runs.
    while (!is_running() && !listener_done_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void Shut() {
    if (!listener_.joinable()) return;
    stopping_.store(true);
    pool_->WakeForStop();
    {
      // Connections waiting for a request see the end of input and close;
      // answers being made are still written.
      MutexLock lock(&open_mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RD);
    }
    stop();
    listener_.join();
  }

 private:
  bool process_and_close_socket(int sock) override {
    {
      MutexLock lock(&open_mutex_);
      if (stopping_.load()) {
        ::close(sock);
        return true;
      }
      open_.insert(sock);
    }
    try {
      Serve(sock);
    } catch (...) {
      // Nothing of cpp-httplib's may escape a worker; the connection ends.
    }
    {
      MutexLock lock(&open_mutex_);
      open_.erase(sock);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }

  void Serve(int sock) {
    SocketStream stream(sock, limits_.idle_timeout, limits_.max_request_head);
    Connection connection{&stream};
    CurrentConnection serving(&connection);
    for (size_t served = 0; served < limits_.max_requests_per_connection && !stopping_.load(); ++served) {
      if (!(served == 0 ? stream.WaitReadable(limits_.idle_timeout) : WaitForNextRequest(stream))) return;
      stream.BeginRequest(SocketStream::Clock::now() + limits_.request_deadline);
      connection.dispatched = false;
      bool last = served + 1 == limits_.max_requests_per_connection || stopping_.load();
      bool closed = false;
      bool written = process_request(stream, last, closed, nullptr);
      written = stream.Flush() && written;
      if (stream.head_too_large()) {
        // A request line past the limit ends before cpp-httplib answers.
        if (!written) {
          static constexpr char kAnswer[] =
              "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
              "Content-Length: 23\r\nConnection: close\r\n\r\nrequest head too large\n";
          stream.write(kAnswer, sizeof kAnswer - 1);
          stream.Flush();
        }
        return;
      }
      if (!written || closed || connection.close_after_answer) return;
    }
  }

  // Between two requests of a kept-alive connection. An idle connection
  // gives its worker up as soon as another connection waits for one, so
  // kept-alive connections cannot hold every worker while others queue.
  bool WaitForNextRequest(SocketStream& stream) {
    constexpr std::chrono::milliseconds kSlice{20};
    auto until = SocketStream::Clock::now() + limits_.keep_alive_timeout;
    while (SocketStream::Clock::now() < until) {
      if (stream.WaitReadable(kSlice)) return true;
      if (pool_->waiting() > 0) return false;
    }
    return false;
  }

  // Before the body is read: the route, the method, and what the body
  // announces. A refusal here leaves the body unread and closes.
  HandlerResponse Screen(const httplib::Request& req, httplib::Response& res) {
    if (current_connection != nullptr) current_connection->stream->EndHead();
    const Methods* methods = FindRoute(req.path);
    if (methods == nullptr) {
      Refuse(res, 404, "no such path: " + req.path);
      return HandlerResponse::Handled;
    }
    std::string method = req.method == "HEAD" ? "GET" : req.method;
    bool routed = methods->count(method) > 0;
    bool body_allowed = routed && TakesBody(method);
    bool chunked = req.has_header("Transfer-Encoding");
    std::string length_text = req.get_header_value("Content-Length");
    uint64_t length = 0;
    if (!length_text.empty()) {
      auto [end, error] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
      if (error != std::errc() || end != length_text.data() + length_text.size()) {
        Refuse(res, 400, "Content-Length is not a number: " + length_text);
        return HandlerResponse::Handled;
      }
    }
    if ((chunked || length > 0) && !body_allowed) {
      Refuse(res, 413, "no body is accepted on " + req.method + " " + req.path);
      return HandlerResponse::Handled;
    }
    if (!routed) {
      std::string allow;
      for (const auto& [allowed, handler] : *methods) allow += (allow.empty() ? "" : ", ") + allowed;
      Refuse(res, 405, "method " + req.method + " is not allowed on " + req.path + "; allowed: " + allow);
      res.set_header("Allow", allow);
      return HandlerResponse::Handled;
    }
    if (!body_allowed) return HandlerResponse::Unhandled;
    if (chunked) {
      Refuse(res, 411, "a chunked body is not accepted; send the body with a Content-Length");
      return HandlerResponse::Handled;
    }
    if (length_text.empty()) {
      Refuse(res, 411, "a Content-Length is required on " + req.method);
      return HandlerResponse::Handled;
    }
    if (length > limits_.max_body_bytes) {
      Refuse(res, 413,
             "the body has " + length_text + " bytes; at most " + std::to_string(limits_.max_body_bytes) +
                 " are accepted");
      return HandlerResponse::Handled;
    }
    // The signature is over the bytes as sent; cpp-httplib would inflate
    // them (and a small compressed body can inflate past any limit).
    std::string encoding = Lower(req.get_header_value("Content-Encoding"));
    if (!encoding.empty() && encoding != "identity") {
      Refuse(res, 415, "Content-Encoding " + encoding + " is not accepted; send the body uncompressed");
      return HandlerResponse::Handled;
    }
    return HandlerResponse::Unhandled;
  }

  // cpp-httplib's own refusals (a malformed head, a URI too long) come with
  // no text; after them the rest of the input cannot be trusted, so the
  // connection closes. A handler's answers are left as they are.
  static HandlerResponse ExplainError(httplib::Response& res) {
    if (current_connection == nullptr || current_connection->dispatched) return HandlerResponse::Unhandled;
    if (current_connection->stream->head_too_large()) {
      Refuse(res, 431, "request head too large");
      return HandlerResponse::Handled;
    }
    if (current_connection->stream->deadline_passed()) {
      current_connection->stream->AllowRefusal(std::chrono::milliseconds(1000));
      Refuse(res, 408, "the request did not arrive in time");
      return HandlerResponse::Handled;
    }
    if (res.body.empty() && (res.status == 400 || res.status == 414)) {
      Refuse(res, res.status,
             res.status == 400 ? "bad request: a malformed request line or header, or a body shorter than its "
                                 "Content-Length"
                               : "request URI too long");
      return HandlerResponse::Handled;
    }
    return HandlerResponse::Unhandled;
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    const Methods* methods = FindRoute(req.path);
    std::string method = req.method == "HEAD" ? "GET" : req.method;
    if (methods == nullptr || methods->count(method) == 0) {
      Refuse(res, 404, "no such path: " + req.path);
      return;
    }
    if (current_connection != nullptr) current_connection->dispatched = true;
    HttpRequest request;
    request.method = req.method;
    request.path = req.path;
    size_t question = req.target.find('?');
    if (question != std::string::npos) request.query = req.target.substr(question + 1);
    for (const auto& [name, value] : req.headers) {
      if (AddedByHttplib(name)) continue;
      std::string& joined = request.headers[Lower(name)];
      joined += (joined.empty() ? "" : ", ") + value;
    }
    request.body = req.body;
    request.remote_address = req.remote_addr + ":" + std::to_string(req.remote_port);
    HttpResponse response = methods->at(method)(request);
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    if (response.stream) {
      Stream(std::move(response), res);
      return;
    }
    res.set_content(std::move(response.body), response.content_type.c_str());
  }

  // The exact route of `path`, else the longest prefix route; nullptr: none.
  const Methods* FindRoute(const std::string& path) const {
    auto exact = routes_.find(path);
    if (exact != routes_.end()) return &exact->second;
    const Methods* found = nullptr;
    size_t longest = 0;
    for (const auto& [prefix, methods] : prefix_routes_) {
      if (prefix.size() >= longest && path.compare(0, prefix.size(), prefix) == 0) {
        found = &methods;
        longest = prefix.size();
      }
    }
    return found;
  }

  // Writes of a streamed answer: each chunk goes out at once (the stream
  // gathers writes until a Flush), with the idle timeout as its deadline.
  class ChunkWriter final : public StreamWriter {
   public:
    ChunkWriter(httplib::DataSink* sink, SocketStream* stream, const std::atomic<bool>* stopping,
                std::chrono::milliseconds idle_timeout)
        : sink_(sink), stream_(stream), stopping_(stopping), idle_timeout_(idle_timeout) {}
    bool Write(std::string_view text) override {
      if (failed_ || stopping_->load()) return false;
      stream_->BeginRequest(SocketStream::Clock::now() + idle_timeout_);
      failed_ = !sink_->write(text.data(), text.size()) || !stream_->Flush();
      return !failed_;
    }
    bool stopping() const override { return stopping_->load(); }

   private:
    httplib::DataSink* sink_;
    SocketStream* stream_;
    const std::atomic<bool>* stopping_;
    std::chrono::milliseconds idle_timeout_;
    bool failed_ = false;
  };

  void Stream(HttpResponse response, httplib::Response& res) {
    if (current_connection == nullptr) {
      res.status = 500;
      res.set_content("a streamed answer needs a connection\n", "text/plain; charset=utf-8");
      return;
    }
    current_connection->close_after_answer = true;
    res.set_header("Connection", "close");
    res.set_header("Cache-Control", "no-store");
    SocketStream* stream = current_connection->stream;
    auto produce = std::move(response.stream);
    res.set_chunked_content_provider(
        response.content_type, [this, stream, produce](size_t, httplib::DataSink& sink) {
          ChunkWriter writer(&sink, stream, &stopping_, limits_.idle_timeout);
          produce(writer);
          stream->BeginRequest(SocketStream::Clock::now() + limits_.idle_timeout);
          sink.done();
          return true;
        });
  }

  HttpServerLimits limits_;
  std::map<std::string, Methods> routes_;
  std::map<std::string, Methods> prefix_routes_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listener_done_{false};
  std::unique_ptr<WorkerPool> pool_;  // made by Run, before the listening thread
  Mutex open_mutex_;
  std::set<int> open_ GUARDED_BY(open_mutex_);  // the connections being served
  std::thread listener_;
};

HttpServer::HttpServer(HttpServerLimits limits) : impl_(std::make_unique<Impl>(limits)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(const std::string& method, const std::string& path, HttpHandler handler) {
  impl_->Route(method, path, std::move(handler));
}

void HttpServer::RoutePrefix(const std::string& method, const std::string& prefix, HttpHandler handler) {
  impl_->RoutePrefix(method, prefix, std::move(handler));
}

Status HttpServer::Start(const std::string& address, int port) {
  KEEL_ASSIGN_OR_RETURN(port_, impl_->Bind(address, port));
  impl_->Run();
  return Status::OK();
}

void HttpServer::Stop() { impl_->Shut(); }

}  // namespace keel::http
