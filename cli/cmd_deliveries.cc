// keel deliveries list|show --db DIR: the dead letters `keel serve` kept,
// with their reasons: inbound, the webhook deliveries it could not map
// (signed correctly); outbound, the events a sink gave up sending.
// keel deliveries redrive --config FILE: maps them again after a fix. With
// brokers the sinks' letters are each partition's (TOPIC-PARTITION/SINK-SEQ).
#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/terminal_text.h"
#include "cli/rule_pack.h"
#include "connectors/sinks/sink_dead_letters.h"
#include "connectors/webhooks/dead_letters.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "server/serve_config.h"
#include "server/server.h"
#include "server/sink_letters.h"
#include "engine/utf8.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;

struct DeliveriesFlags {
  std::string db;
  std::string id;
  bool json = false;
};

// The store of serve's data folder `db`; a folder without one has none.
Result<std::unique_ptr<webhooks::DeadLetterStore>> OpenStore(const std::string& db) {
  std::error_code error;
  if (!fs::is_directory(db, error)) {
    return Status::NotFound("'" + db + "' is not a folder: give --db the `data` folder of keel serve");
  }
  return webhooks::DeadLetterStore::Open(fs::path(db) / webhooks::kDeadLetterFolder);
}

// The sinks' letters of one folder: embedded serve's (`log` empty) or,
// with brokers, one partition log's (`log` TOPIC-PARTITION).
struct SinkLetterStore {
  std::string log;
  std::unique_ptr<sinks::SinkDeadLetterStore> store;
};

// The sinks' letters of the same folder: DATA/sink-dead-letters, then every
// DATA/sink-dead-letters-TOPIC-PARTITION in name order. Their letters' ids
// (SINK-SEQ) repeat across partitions (seqs are each partition log's), so
// outside its folder a partition's letter is named TOPIC-PARTITION/SINK-SEQ.
Result<std::vector<SinkLetterStore>> OpenSinkStores(const std::string& db) {
  std::vector<SinkLetterStore> stores;
  KEEL_ASSIGN_OR_RETURN(auto embedded, sinks::SinkDeadLetterStore::Open(fs::path(db) / sinks::kSinkDeadLetterFolder));
  stores.push_back({"", std::move(embedded)});
  for (const server::SinkLetterFolder& folder : server::PartitionSinkLetterFolders(db)) {
    KEEL_ASSIGN_OR_RETURN(auto store, sinks::SinkDeadLetterStore::Open(folder.path));
    stores.push_back({folder.log, std::move(store)});
  }
  return stores;
}

std::string QualifiedId(const std::string& log, const std::string& id) { return log.empty() ? id : log + "/" + id; }

// A letter of every store, with its store's log.
struct SinkLetterOf {
  std::string log;
  sinks::SinkDeadLetter letter;
};

Result<std::vector<SinkLetterOf>> ListSinkLetters(const std::vector<SinkLetterStore>& stores) {
  std::vector<SinkLetterOf> all;
  for (const SinkLetterStore& store : stores) {
    KEEL_ASSIGN_OR_RETURN(std::vector<sinks::SinkDeadLetter> letters, store.store->List());
    for (sinks::SinkDeadLetter& letter : letters) all.push_back({store.log, std::move(letter)});
  }
  // Oldest first across the folders, as within one.
  std::stable_sort(all.begin(), all.end(), [](const SinkLetterOf& a, const SinkLetterOf& b) {
    return a.letter.last_try < b.letter.last_try;
  });
  return all;
}

// The letter `id` names (SINK-SEQ, or TOPIC-PARTITION/SINK-SEQ); NotFound when none.
Result<SinkLetterOf> FindSinkLetter(const std::vector<SinkLetterStore>& stores, const std::string& id) {
  size_t slash = id.rfind('/');
  std::string log = slash == std::string::npos ? "" : id.substr(0, slash);
  std::string bare = slash == std::string::npos ? id : id.substr(slash + 1);
  for (const SinkLetterStore& store : stores) {
    if (store.log != log) continue;
    KEEL_ASSIGN_OR_RETURN(sinks::SinkDeadLetter letter, store.store->Get(bare));
    return SinkLetterOf{log, std::move(letter)};
  }
  return Status::NotFound("no dead letter '" + id + "'");
}

nlohmann::ordered_json LetterJson(const webhooks::DeadLetter& letter, bool with_body) {
  nlohmann::ordered_json json = {{"id", letter.id},
                                 {"direction", "inbound"},
                                 {"endpoint", letter.endpoint},
                                 {"delivery", letter.delivery},
                                 {"received", letter.received},
                                 {"reason", letter.reason},
                                 {"bytes", letter.body.size()}};
  if (with_body) {
    json["headers"] = letter.headers;
    json["body"] = IsValidUtf8(letter.body) ? nlohmann::ordered_json(letter.body) : nlohmann::ordered_json(nullptr);
  }
  return json;
}

nlohmann::ordered_json SinkLetterJson(const std::string& log, const sinks::SinkDeadLetter& letter) {
  nlohmann::ordered_json json = {{"id", QualifiedId(log, letter.id)}, {"direction", "outbound"}};
  // With brokers: the partition log the seq is of.
  if (!log.empty()) json["log"] = log;
  json.update(nlohmann::ordered_json{
          {"sink", letter.sink},
          {"seq", letter.seq},
          {"event_id", letter.event_id},
          {"workspace", letter.workspace},
          {"attempts", letter.attempts},
          {"status", letter.status},
          {"reason", letter.reason},
          {"first_try", letter.first_try},
          {"last_try", letter.last_try}});
  return json;
}

// "status 503", or "no status" when no answer came, for a sink letter's line.
std::string StatusText(const sinks::SinkDeadLetter& letter) {
  return letter.status == 0 ? std::string("no status") : "status " + std::to_string(letter.status);
}

int RunList(const DeliveriesFlags& flags) {
  auto store = OpenStore(flags.db);
  if (!store.ok()) return ReportError("deliveries list", store.status());
  auto letters = (*store)->List();
  if (!letters.ok()) return ReportError("deliveries list", letters.status());
  auto sink_stores = OpenSinkStores(flags.db);
  if (!sink_stores.ok()) return ReportError("deliveries list", sink_stores.status());
  auto sink_letters = ListSinkLetters(*sink_stores);
  if (!sink_letters.ok()) return ReportError("deliveries list", sink_letters.status());
  if (flags.json) {
    nlohmann::ordered_json inbound = nlohmann::ordered_json::array();
    for (const auto& letter : *letters) inbound.push_back(LetterJson(letter, false));
    nlohmann::ordered_json outbound = nlohmann::ordered_json::array();
    for (const auto& [log, letter] : *sink_letters) outbound.push_back(SinkLetterJson(log, letter));
    PrintJson({{"dead_letters", inbound}, {"sink_dead_letters", outbound}});
    return kExitOk;
  }
  if (letters->empty() && sink_letters->empty()) {
    std::cout << "no dead letters\n";
    return kExitOk;
  }
  if (!letters->empty()) std::cout << "inbound: webhook deliveries not mapped\n";
  for (const auto& letter : *letters) {
    std::cout << TerminalText(letter.id) << "  " << TerminalText(letter.received) << "  "
              << TerminalText(letter.delivery.empty() ? "(no delivery id)" : letter.delivery) << "\n    "
              << TerminalText(letter.reason) << "\n";
  }
  if (!sink_letters->empty()) std::cout << "outbound: events a sink gave up sending\n";
  for (const auto& [log, letter] : *sink_letters) {
    std::cout << TerminalText(QualifiedId(log, letter.id)) << "  " << TerminalText(letter.last_try) << "  event "
              << TerminalText(letter.event_id) << " (seq " << letter.seq
              << (log.empty() ? std::string() : " of " + TerminalText(log)) << ", " << TerminalText(letter.workspace)
              << "), " << letter.attempts << " tries, " << StatusText(letter) << "\n    "
              << TerminalText(letter.reason) << "\n";
  }
  std::cout << letters->size() + sink_letters->size() << " dead letter(s) (" << letters->size() << " inbound, "
            << sink_letters->size() << " outbound); `keel deliveries show --db " << flags.db << " ID` shows one\n";
  return kExitOk;
}

int ShowSinkLetter(const DeliveriesFlags& flags, const std::string& log, const sinks::SinkDeadLetter& letter) {
  if (flags.json) {
    PrintJson(SinkLetterJson(log, letter));
    return kExitOk;
  }
  std::cout << "id         " << TerminalText(QualifiedId(log, letter.id)) << "\ndirection  outbound\n";
  if (!log.empty()) std::cout << "log        " << TerminalText(log) << "\n";
  std::cout << "sink       "
            << TerminalText(letter.sink) << "\nevent      " << TerminalText(letter.event_id) << "\nseq        "
            << letter.seq << "\nworkspace  " << TerminalText(letter.workspace) << "\nattempts   " << letter.attempts
            << "\nstatus     " << letter.status << "\nfirst try  " << TerminalText(letter.first_try)
            << "\nlast try   " << TerminalText(letter.last_try) << "\nreason     " << TerminalText(letter.reason)
            << "\n";
  return kExitOk;
}

int RunShow(const DeliveriesFlags& flags) {
  auto store = OpenStore(flags.db);
  if (!store.ok()) return ReportError("deliveries show", store.status());
  auto letter = (*store)->Get(flags.id);
  if (!letter.ok() && letter.status().code() == StatusCode::kNotFound) {
    auto sink_stores = OpenSinkStores(flags.db);
    if (!sink_stores.ok()) return ReportError("deliveries show", sink_stores.status());
    auto sink_letter = FindSinkLetter(*sink_stores, flags.id);
    if (sink_letter.ok()) return ShowSinkLetter(flags, sink_letter->log, sink_letter->letter);
    if (sink_letter.status().code() != StatusCode::kNotFound) return ReportError("deliveries show", sink_letter.status());
  }
  if (!letter.ok()) return ReportError("deliveries show", letter.status());
  if (flags.json) {
    PrintJson(LetterJson(*letter, true));
    return kExitOk;
  }
  std::cout << "id        " << TerminalText(letter->id) << "\ndirection inbound\nendpoint  " << TerminalText(letter->endpoint)
            << "\ndelivery  " << TerminalText(letter->delivery) << "\nreceived  " << TerminalText(letter->received)
            << "\nreason    " << TerminalText(letter->reason) << "\nheaders\n";
  for (const auto& [name, value] : letter->headers) {
    std::cout << "  " << TerminalText(name) << ": " << TerminalText(value) << "\n";
  }
  std::cout << "body (" << letter->body.size() << " bytes)\n" << TerminalText(letter->body) << "\n";
  return kExitOk;
}

struct RedriveFlags {
  std::string config;
  std::vector<std::string> ids;
  bool json = false;
};

// Which of `ids` are the sinks' letters (outbound) and which the
// receiver's (inbound); an id in neither store goes with the inbound ones,
// whose redrive names it.
Status SplitIds(const server::ServeConfig& config, const std::vector<std::string>& ids,
                std::vector<std::string>* inbound, std::vector<std::string>* outbound) {
  KEEL_ASSIGN_OR_RETURN(auto sink_store, sinks::SinkDeadLetterStore::Open(server::SinkDeadLetterDir(config.data)));
  for (const std::string& id : ids) {
    Result<sinks::SinkDeadLetter> letter = sink_store->Get(id);
    if (letter.ok()) {
      outbound->push_back(id);
    } else if (letter.status().code() == StatusCode::kNotFound) {
      inbound->push_back(id);
    } else {
      return letter.status();
    }
  }
  return Status::OK();
}

// Starts what serve would (the local log with its rules, the receiver, no
// HTTP), maps the inbound letters again and appends what they map to, and
// sends the outbound ones again through their sinks' channels.
int RunRedrive(const RedriveFlags& flags) {
  auto config = server::ReadServeConfig(flags.config);
  if (!config.ok()) return ReportError("deliveries redrive", config.status());
  // With brokers the receiver's letters are on the dead-letter topic; the
  // sinks' are in each partition's folder (TOPIC-PARTITION/SINK-SEQ).
  const bool brokers = !config->brokers.empty();
  std::vector<std::string> inbound_ids, outbound_ids;
  if (brokers) {
    outbound_ids = flags.ids;
  } else if (Status split = SplitIds(*config, flags.ids, &inbound_ids, &outbound_ids); !split.ok()) {
    return ReportError("deliveries redrive", split);
  }
  // Without ids: every letter of both kinds (the inbound ones when there are webhooks to map them).
  bool inbound = !brokers && (flags.ids.empty() ? !config->receiver.webhooks.empty() : !inbound_ids.empty());
  bool outbound = flags.ids.empty() || !outbound_ids.empty();
  config->http_port = 0;
  Result<rules::RuleSet> set = LoadRuleSetForRun(ResolveRulePack(config->rules, config->templates));
  if (!set.ok()) return ReportError("deliveries redrive", set.status());
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("deliveries redrive", schemas.status());
  auto server = server::Server::Create(flags.config, *config, std::move(set).value(), std::move(schemas).value());
  if (!server.ok()) return ReportError("deliveries redrive", server.status());
  struct Line {
    std::string id;
    std::string direction;
    std::string outcome;
    std::string detail;
    bool done;
  };
  std::vector<Line> lines;
  Status failed;
  if (inbound) {
    auto results = (*server)->RedriveDeadLetters(inbound_ids);
    if (!results.ok()) {
      failed = results.status();
    } else {
      for (const auto& result : *results) {
        bool done = result.kind == server::DeliveryKind::kMapped || result.kind == server::DeliveryKind::kIgnored;
        lines.push_back({result.id, "inbound", std::string(server::DeliveryKindName(result.kind)), result.detail, done});
      }
    }
  }
  if (outbound && failed.ok()) {
    rules::CelExpressionCompiler compiler;
    server::Server& running = **server;
    auto results = brokers ? server::RedrivePartitionSinkLetters(
                                 *config, running.sink_answers(), &compiler,
                                 [&running](const EventLog* log) { return running.SinkBuildersOn(log); }, outbound_ids)
                           : server::RedriveSinkLetters(*config, running.local_ingest(), &compiler,
                                                        running.SinkBuilders(), outbound_ids);
    if (!results.ok()) {
      failed = results.status();
    } else {
      for (const auto& result : *results) {
        lines.push_back({result.id, "outbound", result.delivered ? "delivered" : "dead_letter", result.detail,
                         result.delivered});
      }
    }
  }
  server->reset();  // closes the log: what was appended is durable
  if (!failed.ok()) return ReportError("deliveries redrive", failed);
  size_t still_dead = 0;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Line& line : lines) {
    if (!line.done) ++still_dead;
    if (flags.json) {
      list.push_back({{"id", line.id}, {"direction", line.direction}, {"outcome", line.outcome},
                      {"detail", line.detail}});
    } else {
      std::cout << TerminalText(line.id) << "  " << line.outcome << ": " << TerminalText(line.detail) << "\n";
    }
  }
  if (flags.json) {
    PrintJson({{"redriven", list}, {"still_dead", still_dead}});
  } else {
    std::cout << lines.size() - still_dead << " of " << lines.size() << " dead letter(s) redriven";
    if (still_dead > 0) std::cout << "; " << still_dead << " still not mappable or not delivered (kept)";
    std::cout << "\n";
  }
  return still_dead == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddDeliveriesCommand(CLI::App& app, int* exit_code) {
  CLI::App* deliveries = app.add_subcommand(
      "deliveries", "The dead letters keel serve kept: inbound, webhook deliveries signed correctly but not mappable; "
                    "outbound, events a sink gave up sending");
  deliveries->require_subcommand(1);

  auto list_flags = std::make_shared<DeliveriesFlags>();
  CLI::App* list = deliveries->add_subcommand("list", "List the dead letters, oldest first, with their reasons");
  list->add_option("--db", list_flags->db, "The `data` folder of keel serve")->required();
  AddJsonFlag(list, &list_flags->json);
  list->callback([list_flags, exit_code] { *exit_code = RunList(*list_flags); });

  auto show_flags = std::make_shared<DeliveriesFlags>();
  CLI::App* show = deliveries->add_subcommand("show", "Show one dead letter: an inbound one's headers, body and reason; an outbound one's sink, event, tries and reason");
  show->add_option("--db", show_flags->db, "The `data` folder of keel serve")->required();
  show->add_option("ID", show_flags->id, "The dead letter's id, as `keel deliveries list` shows it")->required();
  AddJsonFlag(show, &show_flags->json);
  show->callback([show_flags, exit_code] { *exit_code = RunShow(*show_flags); });

  auto redrive_flags = std::make_shared<RedriveFlags>();
  CLI::App* redrive = deliveries->add_subcommand(
      "redrive", "Map inbound dead letters again with the mappings serve.yaml names now and append what they map to; "
                 "send outbound ones again through their sinks as serve.yaml configures them now; remove each that "
                 "went through. Run it while keel serve is stopped (it opens the same log). Exits 1 when some are "
                 "still not mappable or not delivered");
  redrive->add_option("--config", redrive_flags->config, "keel serve's configuration file")->required();
  redrive->add_option("ID", redrive_flags->ids, "The dead letters to redrive (default: all)");
  AddJsonFlag(redrive, &redrive_flags->json);
  redrive->callback([redrive_flags, exit_code] { *exit_code = RunRedrive(*redrive_flags); });
}

}  // namespace keel::cli
