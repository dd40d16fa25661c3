// What the scenario packs' delivery tests share (examples_sinks_test.cc): a
// pack's serve.yaml made runnable in a test folder (its paths made absolute,
// its data in the folder, its sinks pointed at the test's loopback servers),
// and a run of the pack whose derived events the sinks of that serve.yaml
// deliver, with what the receivers answered appended to the log.
//
// The run: `keel run` derives the pack's events into DATA/log (with the pack's
// run.args, so a pack's timers fire by the events' clock as its expected/
// says), then `keel serve` (embedded mode) starts on that log with the
// serve.yaml and delivers what its sinks select, appending what the tools
// answer; it is stopped with SIGTERM once the receivers saw what they expect.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace keel::testing {

// Writes `dir`/serve.yaml from `pack`/serve.yaml: `data` becomes `dir`/data,
// `rules` and the `people` files (relative to the repository root, as the
// pack's README runs it) absolute; `http_port` 0 (no endpoint); then
// `adjust_sink` changes each entry of `sinks:` (a URL, an SMTP server).
std::filesystem::path WritePackServeConfig(const std::filesystem::path& pack, const std::filesystem::path& dir,
                                           const std::function<void(YAML::Node sink)>& adjust_sink);

struct PackDeliveryRun {
  bool ok = false;
  std::string error;                  // why not, when !ok
  std::vector<std::string> exported;  // the log afterwards, `keel export`'s lines
};

// Runs the pack as serve.yaml (from WritePackServeConfig) says, and exports
// the log once serve stopped. `expected_sends` is how many requests or mails the
// receivers should have seen by then: `sent()` is asked until it reaches it.
PackDeliveryRun RunPackWithSinks(const std::filesystem::path& pack, const std::filesystem::path& serve_yaml,
                                 size_t expected_sends, const std::function<size_t()>& sent);

}  // namespace keel::testing
