// keel_mock_cluster: librdkafka's mock Kafka cluster (3 brokers on
// loopback) as a process of its own, so that tests and benchmarks talk to it
// over the Kafka protocol as to any cluster. Prints one line,
//   bootstrap HOST:PORT,HOST:PORT,HOST:PORT
// then reads commands on standard input, one per line, and answers each
// with "ok" or "error MESSAGE":
//   topic NAME PARTITIONS           create a topic (replication factor 3)
//   errors API_KEY ERROR [ERROR...]  the next requests of that API (a Kafka
//                                   API key number) fail with those error
//                                   codes, one each
//   down BROKER_ID / up BROKER_ID   take a broker (1..3) off the network, or back
//   leader TOPIC PARTITION BROKER_ID  move a partition's leader
// It exits on "quit" or at the end of its input. KEEL_MOCK_DEBUG, when set,
// is the owner's librdkafka `debug` property ("mock" logs the group
// coordinator's states on standard error).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string Check(rd_kafka_resp_err_t error) {
  return error == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : std::string("error ") + rd_kafka_err2name(error);
}

std::string Run(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::string command;
  in >> command;
  if (command == "topic") {
    std::string name;
    int partitions = 0;
    if (!(in >> name >> partitions)) return "error usage: topic NAME PARTITIONS";
    return Check(rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 3));
  }
  if (command == "errors") {
    int api_key = 0;
    std::vector<rd_kafka_resp_err_t> errors;
    int error = 0;
    if (!(in >> api_key)) return "error usage: errors API_KEY ERROR...";
    while (in >> error) errors.push_back(static_cast<rd_kafka_resp_err_t>(error));
    if (errors.empty()) return "error usage: errors API_KEY ERROR...";
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(api_key), errors.size(), errors.data());
    return "ok";
  }
  if (command == "down" || command == "up") {
    int broker = 0;
    if (!(in >> broker)) return "error usage: down|up BROKER_ID";
    return Check(command == "down" ? rd_kafka_mock_broker_set_down(cluster, broker)
                                   : rd_kafka_mock_broker_set_up(cluster, broker));
  }
  if (command == "leader") {
    std::string topic;
    int partition = 0, broker = 0;
    if (!(in >> topic >> partition >> broker)) return "error usage: leader TOPIC PARTITION BROKER_ID";
    return Check(rd_kafka_mock_partition_set_leader(cluster, topic.c_str(), partition, broker));
  }
  return "error unknown command '" + command + "'";
}

}  // namespace

int main() {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const char* debug = std::getenv("KEEL_MOCK_DEBUG");
  if (debug != nullptr && *debug != '\0') {
    if (rd_kafka_conf_set(conf, "debug", debug, error, sizeof error) != RD_KAFKA_CONF_OK) {
      std::cerr << "keel_mock_cluster: KEEL_MOCK_DEBUG: " << error << "\n";
      return 1;
    }
  } else {
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  }
  rd_kafka_t* owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (owner == nullptr) {
    std::cerr << "keel_mock_cluster: " << error << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner, 3);
  if (cluster == nullptr) {
    std::cerr << "keel_mock_cluster: cannot start the mock cluster\n";
    return 1;
  }
  std::cout << "bootstrap " << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "quit") break;
    if (line.empty()) continue;
    std::cout << Run(cluster, line) << std::endl;
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(owner);
  return 0;
}
