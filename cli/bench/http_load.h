// An HTTP load generator for the benchmarks: keep-alive connections on
// loopback, each sending POST requests one after another (closed loop) or at
// a fixed rate, and the latency of each request. Raw sockets and one thread
// with epoll for every connection, so the client costs as little as possible
// of the cores it shares with the server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"

namespace keel::cli {

struct HttpLoad {
  int port = 0;
  std::string path = "/";
  std::string headers;  // extra header lines, each ending in \r\n
  // One body per request, used in turn (all requests may share one).
  std::vector<std::string> bodies;
  // Header lines sent with the body of the same index (e.g. its signature);
  // empty, or one per body.
  std::vector<std::string> body_headers;
  // When set, every request carries this header with a value of its own,
  // ID_PREFIX followed by the request's number (a webhook's delivery id).
  std::string id_header;
  std::string id_prefix;
  uint64_t requests = 10000;  // in all, over every connection
  int connections = 4;
  // Requests per second over all connections; 0: each connection sends its
  // next request as soon as the answer came. With a rate, latency counts
  // from when a request was due, so a stall is not hidden by sending late.
  double rate = 0;
};

struct HttpLoadResult {
  double seconds = 0;
  std::vector<double> latencies_ms;  // one per answered request, unsorted
  uint64_t not_2xx = 0;
  double RequestsPerSecond() const;
  double LatencyPercentileMs(double p) const;  // p in [0, 100]
};

// Runs `load` against 127.0.0.1; an error when a connection fails.
Result<HttpLoadResult> RunHttpLoad(const HttpLoad& load);

}  // namespace keel::cli
