// keel serve's configuration file: checked before anything connects. A
// configuration that cannot work stops serve with file:line and exit 2.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/cli/run_keel_support.h"
#include "tests/support/file_text.h"
#include "tests/support/spawned_process.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

class ServeConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    std::string path = (dir_ / "serve.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
  static std::string Valid(const std::string& http = "http_port: 0\n") {
    return "brokers: localhost:9092\n"
           "input_topics: [work-events]\n"
           "output_topic: keel-out\n"
           "dead_letter_topic: keel-dead\n"
           "data: /tmp/nowhere\n"
           "rules: examples/01-initiative-kickoff\n" +
           http;
  }
  static std::string ValidWithHttp() {
    return Valid("http_address: 127.0.0.1\nhttp_port: " + std::to_string(FreePort()) + "\n");
  }
  // `keel serve` as a process of its own, which must end by itself within a
  // generous bound (a serve that goes on, or hangs, is killed: -1); its exit
  // code. Its standard error is then ServeErr().
  int ServeExitCode(const std::string& config) {
    SpawnedProcess serve({KeelPath(), "serve", "--config", config}, dir_ / "out.txt", dir_ / "err.txt");
    for (int waited = 0; waited < 300; ++waited) {
      if (std::optional<int> code = serve.Poll()) return *code;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    serve.Kill();
    return -1;
  }
  std::string ServeErr() { return ReadFileText(dir_ / "err.txt"); }

  // A loopback port free at the time of the call.
  static int FreePort() {
    int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ::bind(sock, reinterpret_cast<sockaddr*>(&address), size);
    ::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(sock);
    return ntohs(address.sin_port);
  }

  TempDir dir_;
};

TEST_F(ServeConfigTest, UnknownSettingIsRefusedWithFileAndLine) {
  std::string path = Write(Valid() + "sink_topic: nope\n");
  KeelRun run = RunKeel({"serve", "--config", path});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(path + ":8: unknown setting 'sink_topic'"), std::string::npos) << run.Describe();
}

TEST_F(ServeConfigTest, WrongTypesAndValuesNameTheirLine) {
  KeelRun run = RunKeel({"serve", "--config", Write(Valid("http_port: eighty\n"))});
  EXPECT_NE(run.err.find(":7: 'http_port' must be a whole number"), std::string::npos) << run.Describe();
  run = RunKeel({"serve", "--config", Write("sync: sometimes\n" + Valid())});
  EXPECT_NE(run.err.find(":1: 'sync' must be one of always, batch, off"), std::string::npos) << run.Describe();
  run = RunKeel({"serve", "--config", Write(Valid() + "kafka: [a, b]\n")});
  EXPECT_NE(run.err.find(":8: 'kafka' must be a map"), std::string::npos) << run.Describe();
  run = RunKeel({"serve", "--config", Write(Valid() + "ingest_threads: 0\n")});
  EXPECT_NE(run.err.find(":8: 'ingest_threads' must be a whole number from 1 to 64"), std::string::npos)
      << run.Describe();
}

TEST_F(ServeConfigTest, MissingRequiredSettingIsNamed) {
  KeelRun run = RunKeel({"serve", "--config", Write("brokers: localhost:9092\n")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("'output_topic' is required"), std::string::npos) << run.Describe();
}

TEST_F(ServeConfigTest, UnknownLibrdkafkaPropertyIsRefused) {
  KeelRun run = RunKeel({"serve", "--config", Write(Valid() + "kafka:\n  no.such.property: 1\n")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("librdkafka property 'no.such.property'"), std::string::npos) << run.Describe();
}

// It used to print the error and then wait for ever for its HTTP thread,
// while /healthz answered 200.
TEST_F(ServeConfigTest, MistypedLibrdkafkaPropertyStopsServeWithItsLine) {
  std::string path = Write(ValidWithHttp() + "kafka:\n  bootstrap.server: localhost:9092\n");
  EXPECT_EQ(ServeExitCode(path), 2) << ServeErr();
  EXPECT_NE(ServeErr().find(path + ":10: 'kafka': librdkafka property 'bootstrap.server'"), std::string::npos)
      << ServeErr();
}

// librdkafka takes each property alone but refuses the combination when the
// client is created: serve still stops, naming the file.
TEST_F(ServeConfigTest, KafkaClientThatCannotBeCreatedStopsServe) {
  std::string path = Write(ValidWithHttp() + "producer:\n  acks: 1\n");
  EXPECT_EQ(ServeExitCode(path), 2) << ServeErr();
  EXPECT_NE(ServeErr().find(path + ": cannot create the Kafka client"), std::string::npos) << ServeErr();
}

TEST_F(ServeConfigTest, SettingSetTwiceIsRefusedWithBothLines) {
  std::string path = Write(Valid() + "brokers: elsewhere:9092\n");
  EXPECT_EQ(ServeExitCode(path), 2) << ServeErr();
  EXPECT_NE(ServeErr().find(path + ":8: the setting 'brokers' is set twice (first on line 1)"), std::string::npos)
      << ServeErr();
}

TEST_F(ServeConfigTest, LibrdkafkaPropertySetTwiceIsRefused) {
  std::string path = Write(Valid() + "consumer:\n  fetch.wait.max.ms: 5\n  fetch.wait.max.ms: 500\n");
  EXPECT_EQ(ServeExitCode(path), 2) << ServeErr();
  EXPECT_NE(ServeErr().find(path + ":10: 'consumer': the property 'fetch.wait.max.ms' is set twice (first on line 9)"),
            std::string::npos)
      << ServeErr();
}

// Dead letters published to an input topic come back as input, are refused
// again, and so on for ever.
TEST_F(ServeConfigTest, DeadLetterTopicThatIsAnInputTopicIsRefused) {
  std::string path = Write(
      "brokers: localhost:9092\n"
      "input_topics: [work-events, more-events]\n"
      "output_topic: keel-out\n"
      "dead_letter_topic: more-events\n"
      "data: /tmp/nowhere\n"
      "rules: examples/01-initiative-kickoff\n"
      "http_port: 0\n");
  EXPECT_EQ(ServeExitCode(path), 2) << ServeErr();
  EXPECT_NE(ServeErr().find(path + ":4: 'dead_letter_topic' must not be an input topic"), std::string::npos)
      << ServeErr();
}

TEST_F(ServeConfigTest, TopicsWithoutBrokersAreRefused) {
  std::string path = Write("data: /tmp/nowhere\nrules: examples/01-initiative-kickoff\ninput_topics: [events]\n");
  KeelRun run = RunKeel({"serve", "--config", path});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(path + ":3: 'input_topics' is a Kafka setting and needs 'brokers'"), std::string::npos)
      << run.Describe();
}

TEST_F(ServeConfigTest, BrokersWithoutInputTopicsAreRefused) {
  std::string path = Write(
      "brokers: localhost:9092\noutput_topic: out\ndead_letter_topic: dead\n"
      "data: /tmp/nowhere\nrules: examples/01-initiative-kickoff\n");
  KeelRun run = RunKeel({"serve", "--config", path});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(path + ":1: the setting 'input_topics' is required with 'brokers'"), std::string::npos)
      << run.Describe();
}

// Embedded mode: no brokers, one local log in DATA/log, created at start,
// synced and closed on SIGTERM (exit 0), after which it verifies.
TEST_F(ServeConfigTest, WithoutBrokersServeRunsOneLocalLogAndStopsCleanly) {
  std::filesystem::path data = dir_ / "data";
  std::string path = Write("data: " + data.string() + "\nrules: examples/01-initiative-kickoff\nhttp_port: 0\n");
  SpawnedProcess serve({KeelPath(), "serve", "--config", path}, dir_ / "out.txt", dir_ / "err.txt");
  for (int waited = 0; waited < 300 && !std::filesystem::exists(data / "log" / "CURRENT"); ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(std::filesystem::exists(data / "log" / "CURRENT")) << ServeErr();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0) << ServeErr();
  EXPECT_NE(ServeErr().find("\"mode\":\"embedded\""), std::string::npos) << ServeErr();
  KeelRun verify = RunKeel({"verify", "--db", (data / "log").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

TEST_F(ServeConfigTest, MissingFileIsAnError) {
  KeelRun run = RunKeel({"serve", "--config", (dir_ / "absent.yaml").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("cannot read the configuration file"), std::string::npos) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
