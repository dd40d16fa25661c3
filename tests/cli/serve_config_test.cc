// keel serve's configuration file: checked before anything connects.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/cli/run_keel_support.h"
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
  static std::string Valid() {
    return "brokers: localhost:9092\n"
           "input_topics: [work-events]\n"
           "output_topic: keel-out\n"
           "dead_letter_topic: keel-dead\n"
           "data: /tmp/nowhere\n"
           "rules: examples/01-initiative-kickoff\n"
           "http_port: 0\n";
  }
  TempDir dir_;
};

TEST_F(ServeConfigTest, UnknownSettingIsRefusedWithFileAndLine) {
  std::string path = Write(Valid() + "sink_topic: nope\n");
  KeelRun run = RunKeel({"serve", "--config", path});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find(path + ":8: unknown setting 'sink_topic'"), std::string::npos) << run.Describe();
}

TEST_F(ServeConfigTest, WrongTypesAndValuesNameTheirLine) {
  KeelRun run = RunKeel({"serve", "--config", Write(Valid() + "http_port: eighty\n")});
  EXPECT_NE(run.err.find(":8: 'http_port' must be a whole number"), std::string::npos) << run.Describe();
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
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("'output_topic' is required"), std::string::npos) << run.Describe();
}

TEST_F(ServeConfigTest, UnknownLibrdkafkaPropertyIsRefused) {
  KeelRun run = RunKeel({"serve", "--config", Write(Valid() + "kafka:\n  no.such.property: 1\n")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("librdkafka property 'no.such.property'"), std::string::npos) << run.Describe();
}

TEST_F(ServeConfigTest, MissingFileIsAnError) {
  KeelRun run = RunKeel({"serve", "--config", (dir_ / "absent.yaml").string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("cannot read the configuration file"), std::string::npos) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
