// What the scenario-pack tests share: a pack's webhook deliveries
// (examples/NN-name/webhooks/) and the input they make with its events.ndjson
// (what a user gets by running `keel map` on each payload in order), and the
// derived events of a log as expected/derived.ndjson holds them.
//
// webhooks/NN-TOOL-what.json is a payload in TOOL's own format (TOOL names a
// built-in mapping: jira, github, ...); webhooks/NN-TOOL-what.headers holds
// its HTTP headers, one `Name: value` a line (event name, delivery id). The
// pack's people/WORKSPACE.yaml names the workspace the deliveries map into and
// the people file that maps the tools' identities.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace keel::testing {

struct PackDelivery {
  std::filesystem::path payload;     // webhooks/NN-TOOL-what.json
  std::string source;                // TOOL: the built-in mapping
  std::vector<std::string> headers;  // "Name: value"
};

// The pack's deliveries in file-name order; empty when it has no webhooks/.
std::vector<PackDelivery> PackDeliveries(const std::filesystem::path& pack);

// The workspace (people/WORKSPACE.yaml's stem, default "default") and that
// file, empty when the pack has none.
std::string PackWorkspace(const std::filesystem::path& pack);
std::filesystem::path PackPeopleFile(const std::filesystem::path& pack);

// The `keel map` arguments of one delivery (its events, one per line).
std::vector<std::string> MapArguments(const std::filesystem::path& pack, const PackDelivery& delivery);

// The run's input: events.ndjson, then, for a pack with webhooks/, the events
// each delivery maps to, written to `dir`/input.ndjson. Empty, with a test
// failure, when a delivery does not map.
std::filesystem::path RunInput(const std::filesystem::path& pack, const std::filesystem::path& dir);

// The ids of the events of an NDJSON file.
std::set<std::string> InputIds(const std::filesystem::path& events_file);

// The derived events of an exported log (every event that is not an input nor
// the rule set's activation), one canonical JSON line each, reduced to what a
// reader checks: id, time, type, subject, workspace, ruleid, causationid, data.
std::vector<std::string> DerivedLines(const std::string& exported, const std::set<std::string>& input_ids);

// expected/derived.ndjson, one canonical JSON line per event (so a hand-edited
// file may order its keys freely).
std::vector<std::string> ExpectedLines(const std::filesystem::path& pack);

}  // namespace keel::testing
