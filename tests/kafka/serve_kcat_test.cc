// kcat, an independent Kafka client, on both ends of keel serve: it
// produces the input (binary-mode CloudEvents with -H headers) and reads
// the output.
#include <algorithm>
#include <cstdio>
#include <thread>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

constexpr const char* kKcat = "/usr/bin/kcat";

std::string Shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  if (::pclose(pipe) != 0) throw std::runtime_error("failed: " + command + "\n" + output);
  return output;
}

TEST_F(ServeTest, KcatProducesBinaryModeEventsAndReadsTheDerivedOnes) {
  if (!std::filesystem::exists(kKcat)) GTEST_SKIP() << "kcat is not installed (.ci/setup installs it)";
  CreateTopics(1);
  for (int i = 0; i < 5; ++i) {
    std::string id = "kcat-" + std::to_string(i);
    std::string command = "echo 'ws0|{\"title\":\"From kcat\",\"status\":\"todo\"}' | " + std::string(kKcat) +
                          " -P -b " + cluster_->bootstrap() + " -t work-events -K '|'" +
                          " -H ce_specversion=1.0 -H ce_id=" + id + " -H ce_source=kcat -H ce_type=task.created" +
                          " -H ce_time=2026-03-02T09:00:00Z -H ce_subject=task/" + id + " -H ce_actor=user:kim 2>&1";
    Shell(command);
  }
  auto serve = StartServe(Settings());
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  size_t lines = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    out = Shell(std::string(kKcat) + " -C -b " + cluster_->bootstrap() + " -t keel-out -o beginning -e -q" +
                " -f '%k %s\\n' 2>/dev/null");
    lines = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
    if (lines >= 5) break;
    std::this_thread::sleep_for(300ms);
  }
  ASSERT_EQ(lines, 5u) << "kcat read from keel-out:\n" << out;
  for (int i = 0; i < 5; ++i) {
    EXPECT_NE(out.find("\"causationid\":\"kcat-" + std::to_string(i) + "\""), std::string::npos) << out;
  }
  EXPECT_EQ(out.rfind("ws0 {", 0), 0u) << "the key is the workspace: " << out;
  EXPECT_EQ(serve->Stop(), 0);
}

}  // namespace
}  // namespace keel::testing
