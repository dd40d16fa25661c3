// keel map --source NAME [--mapping FILE] [--workspace WS] [--endpoint NAME]
//   [--people FILE] [--header 'Name: value']... FILE|-
// Prints the keel events one webhook payload maps to, one CloudEvent per line
// (--json: {"events":[...],"ignored":REASON|null}); exits 0 when mapped or
// ignored, 1 when refused, with the reason.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/terminal_text.h"
#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/map_delivery.h"
#include "connectors/webhooks/people.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"

namespace keel::cli {
namespace {

constexpr size_t kMaxPayloadBytes = 16 * 1024 * 1024;

struct MapFlags {
  std::string source;
  std::string mapping;
  std::string workspace;
  std::string endpoint;
  std::string people;
  std::vector<std::string> headers;
  std::string payload;
  bool json = false;
};

Result<std::string> ReadPayload(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound(path + ": cannot read the payload");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  if (text.size() > kMaxPayloadBytes) return Status::InvalidArgument(path + ": a payload is at most 16 MiB");
  return text;
}

int RunMap(const MapFlags& flags) {
  if (flags.source.empty() && flags.mapping.empty()) {
    std::cerr << "keel map: error: give --source NAME (a built-in mapping) or --mapping FILE\n";
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> headers;
  for (const std::string& header : flags.headers) {
    size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "keel map: error: --header '" << TerminalText(header) << "': expected 'Name: value'\n";
      return kExitUsage;
    }
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    headers.emplace_back(header.substr(0, colon), value);
  }
  webhooks::LowerCaseHeaders(&headers);

  Result<std::unique_ptr<SchemaRegistry>> schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("map", schemas.status());
  const ExpressionCompiler& compiler = rules::CelExpressions();
  Result<webhooks::Mapping> mapping =
      flags.mapping.empty() ? webhooks::LoadBuiltinMapping(flags.source, compiler, schemas->get())
                            : webhooks::LoadMappingFile(flags.mapping, compiler, schemas->get());
  if (!mapping.ok()) return ReportError("map", mapping.status());
  std::shared_ptr<webhooks::PeopleFile> people;
  if (!flags.people.empty()) {
    Result<webhooks::PeopleFile> loaded = webhooks::PeopleFile::LoadFile(flags.people);
    if (!loaded.ok()) return ReportError("map", loaded.status());
    people = std::make_shared<webhooks::PeopleFile>(*std::move(loaded));
  }
  Result<std::string> body = ReadPayload(flags.payload);
  if (!body.ok()) return ReportError("map", body.status());

  webhooks::Delivery delivery;
  delivery.endpoint = flags.endpoint.empty() ? mapping->name : flags.endpoint;
  delivery.headers = std::move(headers);
  delivery.body = *body;
  webhooks::MapOptions options;
  options.workspace = flags.workspace;
  options.default_workspace = "default";
  options.schemas = schemas->get();
  options.people = [people](std::string_view) -> const PeopleDirectory* { return people.get(); };
  std::unique_ptr<ExpressionScope> scope = compiler.NewScope();
  webhooks::MappingOutcome out = webhooks::MapDelivery(*mapping, delivery, options, *scope);

  using Kind = webhooks::MappingOutcome::Kind;
  if (flags.json) {
    nlohmann::ordered_json result;
    result["events"] = nlohmann::ordered_json::array();
    for (const nlohmann::ordered_json& event : out.events) result["events"].push_back(event);
    result["ignored"] = out.kind == Kind::kIgnored ? nlohmann::ordered_json(out.reason) : nullptr;
    if (out.kind == Kind::kRefused) result["refused"] = out.reason;
    PrintJson(result);
  } else {
    for (const nlohmann::ordered_json& event : out.events) std::cout << event.dump() << "\n";
    if (out.kind == Kind::kIgnored) std::cerr << "ignored: " << TerminalLines(out.reason) << "\n";
  }
  if (out.kind == Kind::kRefused) {
    if (!flags.json) std::cerr << "keel map: refused: " << TerminalLines(out.reason) << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void AddMapCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<MapFlags>();
  CLI::App* map = app.add_subcommand(
      "map", "Print the keel events a webhook payload maps to, one CloudEvent per line; exits 0 when mapped or "
             "ignored (the reason on stderr), 1 when refused");
  map->add_option("--source", flags->source, "A built-in mapping: " + [] {
    std::string names;
    for (const std::string& n : webhooks::BuiltinMappingNames()) names += (names.empty() ? "" : ", ") + n;
    return names.empty() ? std::string("none built in") : names;
  }());
  map->add_option("--mapping", flags->mapping, "A mapping file (overrides --source)");
  map->add_option("--workspace", flags->workspace,
                  "The events' workspace (default: the mapping's workspace:, else 'default')");
  map->add_option("--endpoint", flags->endpoint, "The endpoint name that scopes the event ids (default: the mapping's name)");
  map->add_option("--people", flags->people, "A people file: tool identities to keel user ids");
  map->add_option("--header", flags->headers, "A request header, 'Name: value' (repeatable)");
  map->add_option("FILE", flags->payload, "The payload (JSON body), or - for standard input")->required();
  AddJsonFlag(map, &flags->json);
  map->callback([flags, exit_code] { *exit_code = RunMap(*flags); });
}

}  // namespace keel::cli
