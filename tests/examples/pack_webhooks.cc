#include "tests/examples/pack_webhooks.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"
#include "tests/support/file_text.h"

namespace keel::testing {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::vector<PackDelivery> PackDeliveries(const fs::path& pack) {
  std::vector<PackDelivery> deliveries;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pack / "webhooks", ec)) {
    if (entry.path().extension() != ".json") continue;
    PackDelivery delivery;
    delivery.payload = entry.path();
    // NN-TOOL-what.json: the tool is the second word.
    std::string name = entry.path().stem().string();
    size_t first = name.find('-');
    size_t second = first == std::string::npos ? std::string::npos : name.find('-', first + 1);
    if (first != std::string::npos) delivery.source = name.substr(first + 1, second - first - 1);
    fs::path headers = entry.path();
    headers.replace_extension(".headers");
    std::istringstream lines(ReadFileText(headers));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) delivery.headers.push_back(line);
    }
    deliveries.push_back(std::move(delivery));
  }
  std::sort(deliveries.begin(), deliveries.end(),
            [](const PackDelivery& a, const PackDelivery& b) { return a.payload < b.payload; });
  return deliveries;
}

fs::path PackPeopleFile(const fs::path& pack) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pack / "people", ec)) {
    if (entry.path().extension() == ".yaml") return entry.path();
  }
  return {};
}

std::string PackWorkspace(const fs::path& pack) {
  fs::path people = PackPeopleFile(pack);
  return people.empty() ? "default" : people.stem().string();
}

std::vector<std::string> MapArguments(const fs::path& pack, const PackDelivery& delivery) {
  std::vector<std::string> args = {"map", "--source", delivery.source, "--workspace", PackWorkspace(pack)};
  fs::path people = PackPeopleFile(pack);
  if (!people.empty()) {
    args.push_back("--people");
    args.push_back(people.string());
  }
  for (const std::string& header : delivery.headers) {
    args.push_back("--header");
    args.push_back(header);
  }
  args.push_back(delivery.payload.string());
  return args;
}

fs::path RunInput(const fs::path& pack, const fs::path& dir) {
  std::vector<PackDelivery> deliveries = PackDeliveries(pack);
  if (deliveries.empty()) return pack / "events.ndjson";
  fs::path input = dir / "input.ndjson";
  std::ofstream out(input, std::ios::trunc);
  out << ReadFileText(pack / "events.ndjson");
  for (const PackDelivery& delivery : deliveries) {
    KeelRun mapped = RunKeel(MapArguments(pack, delivery));
    if (mapped.exit_code != 0) {
      ADD_FAILURE() << delivery.payload << " does not map: " << mapped.Describe();
      return {};
    }
    out << mapped.out;
  }
  return input;
}

std::set<std::string> InputIds(const fs::path& events_file) {
  std::set<std::string> ids;
  for (const std::string& line : Lines(ReadFileText(events_file))) {
    if (line.empty()) continue;
    Json event = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (event.is_object() && event.contains("id")) ids.insert(event["id"].get<std::string>());
  }
  return ids;
}

std::vector<std::string> DerivedLines(const std::string& exported, const std::set<std::string>& input_ids) {
  static const char* kKept[] = {"id", "time", "type", "subject", "workspace", "ruleid", "causationid", "data"};
  std::vector<std::string> lines;
  for (const std::string& line : Lines(exported)) {
    Json event = Json::parse(line);
    if (input_ids.count(event.value("id", "")) || event.value("type", "") == "ruleset.activated") continue;
    Json kept = Json::object();
    for (const char* key : kKept) {
      if (event.contains(key)) kept[key] = event[key];
    }
    lines.push_back(kept.dump());
  }
  return lines;
}

std::vector<std::string> ExpectedLines(const fs::path& pack) {
  std::vector<std::string> expected = Lines(ReadFileText(pack / "expected" / "derived.ndjson"));
  for (std::string& line : expected) line = Json::parse(line).dump();
  return expected;
}

}  // namespace keel::testing
