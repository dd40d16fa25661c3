#include "server/api/okr_query.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/json_time.h"
#include "server/api/progress_series.h"

namespace keel::api {
namespace {

using nlohmann::json;

constexpr double kAtRiskMargin = 0.2;

struct Node {
  std::string ref;  // KIND/ID
  EntityState state;
};

// The entities of the tree, read once per request, each kind by its own
// prefix of the `entities` family (EventLog::ForEachEntity).
struct Workspace {
  std::vector<Node> goals;
  std::map<std::string, std::vector<Node>> key_results_of;   // goal ref -> its key results
  std::map<std::string, std::vector<Node>> initiatives_of;   // key result ref -> initiatives
  std::map<std::string, std::vector<Node>> tasks_of;         // initiative or key result ref -> tasks
  std::optional<int64_t> first_micros;  // earliest `created` in the tree
  std::optional<int64_t> last_micros;   // latest `updated` in the tree
};

json StringOrNull(const EntityState& state, std::string_view field) {
  std::string_view raw = state.Get(field);
  if (raw.empty() || raw.front() != '"') return nullptr;
  return state.GetString(field);
}

std::optional<int64_t> TimeOf(const EntityState& state, std::string_view field) {
  std::string text = state.GetString(field);
  if (text.empty()) return std::nullopt;
  if (auto micros = TryParseRfc3339Micros(text)) return micros;
  if (auto days = ParseRfc3339FullDate(text)) return *days * 86400LL * 1000000LL;  // a date: its first moment
  return std::nullopt;
}

// The refs a state names as its parent or links to, that are among `candidates`.
std::vector<std::string> LinkedRefs(const EntityState& state, const std::set<std::string>& candidates) {
  std::vector<std::string> refs;
  std::string parent = state.GetString("parent");
  if (candidates.count(parent)) refs.push_back(parent);
  std::string_view links = state.Get("links");
  if (links.empty()) return refs;
  json parsed = json::parse(links, nullptr, false);
  if (!parsed.is_array()) return refs;
  for (const json& link : parsed) {
    if (!link.is_object() || !link.contains("target") || !link["target"].is_string()) continue;
    std::string target = link["target"].get<std::string>();
    if (candidates.count(target) && std::find(refs.begin(), refs.end(), target) == refs.end()) {
      refs.push_back(target);
    }
  }
  return refs;
}

// A task, the commonest entity by far, is only read when its text names a
// key result or an initiative somewhere (LinkedRefs then checks its parent
// and links): the rest are skipped with one search each.
bool MayServeTheTree(std::string_view state_text) {
  return state_text.find("key_result/") != std::string_view::npos ||
         state_text.find("initiative/") != std::string_view::npos;
}

// Reads every entity of `kind` that `wanted` keeps (nullptr: all), the caller
// may see and is not archived, and passes it to `take`, which says whether it
// joined the tree (its times then count in the default range).
Status ForEachShown(const EventLog& log, std::string_view workspace, std::string_view kind,
                    const std::function<bool(std::string_view)>& wanted, const VisibleToCaller& visible, Workspace* ws,
                    const std::function<bool(Node)>& take) {
  return log.ForEachEntity(workspace, kind, "", [&](std::string_view id, std::string_view text) {
    if (wanted && !wanted(text)) return true;
    EntityState state = EntityState::FromCanonical(text);
    if (state.Get("archived") == "true" || (visible && !visible(state))) return true;
    std::optional<int64_t> created = TimeOf(state, "created"), updated = TimeOf(state, "updated");
    if (!take(Node{std::string(kind) + "/" + std::string(id), std::move(state)})) return true;
    if (created) ws->first_micros = std::min(ws->first_micros.value_or(*created), *created);
    if (updated) ws->last_micros = std::max(ws->last_micros.value_or(*updated), *updated);
    return true;
  });
}

Result<Workspace> ReadWorkspace(const EventLog& log, std::string_view workspace, const VisibleToCaller& visible) {
  Workspace ws;
  std::set<std::string> goal_refs, key_result_refs, initiative_refs;
  KEEL_RETURN_IF_ERROR(ForEachShown(log, workspace, "goal", nullptr, visible, &ws, [&](Node node) {
    goal_refs.insert(node.ref);
    ws.goals.push_back(std::move(node));
    return true;
  }));
  KEEL_RETURN_IF_ERROR(ForEachShown(log, workspace, "key_result", nullptr, visible, &ws, [&](Node node) {
    std::string parent = node.state.GetString("parent");
    if (!goal_refs.count(parent)) return false;
    key_result_refs.insert(node.ref);
    ws.key_results_of[parent].push_back(std::move(node));
    return true;
  }));
  KEEL_RETURN_IF_ERROR(ForEachShown(log, workspace, "initiative", nullptr, visible, &ws, [&](Node node) {
    std::vector<std::string> serves = LinkedRefs(node.state, key_result_refs);
    if (serves.empty()) return false;
    initiative_refs.insert(node.ref);
    for (const std::string& key_result : serves) ws.initiatives_of[key_result].push_back(node);
    return true;
  }));
  std::set<std::string> task_owners = key_result_refs;
  task_owners.insert(initiative_refs.begin(), initiative_refs.end());
  KEEL_RETURN_IF_ERROR(ForEachShown(log, workspace, "task", MayServeTheTree, visible, &ws, [&](Node node) {
    std::vector<std::string> owners = LinkedRefs(node.state, task_owners);
    for (const std::string& owner : owners) ws.tasks_of[owner].push_back(node);
    return !owners.empty();
  }));
  return ws;
}

json ProgressJson(std::optional<double> share) { return share ? json(*share) : json(nullptr); }

json TaskJson(const Node& task) {
  return {{"ref", task.ref},
          {"title", StringOrNull(task.state, "title")},
          {"status", StringOrNull(task.state, "status")},
          {"assignee", StringOrNull(task.state, "assignee")}};
}

json TasksJson(const Workspace& ws, const std::string& owner) {
  json tasks = json::array();
  if (auto it = ws.tasks_of.find(owner); it != ws.tasks_of.end()) {
    for (const Node& task : it->second) tasks.push_back(TaskJson(task));
  }
  return tasks;
}

bool AtRisk(const EntityState& state, int64_t at_micros, std::optional<double> progress_then) {
  std::optional<int64_t> created = TimeOf(state, "created"), due = TimeOf(state, "due");
  if (!created || !due || *due <= *created) return false;
  double elapsed = std::clamp(static_cast<double>(at_micros - *created) / static_cast<double>(*due - *created), 0.0, 1.0);
  return elapsed - progress_then.value_or(0.0) > kAtRiskMargin;
}

// ref, title, status, owner, progress, at_risk and series: what objectives
// and key results share.
Result<json> ProgressNodeJson(const EventLog& log, std::string_view workspace, const Node& node,
                              const std::vector<int64_t>& times) {
  EntityRef ref;
  ParseEntityRef(node.ref, &ref);
  KEEL_ASSIGN_OR_RETURN(ProgressSeries progress, ProgressOverTime(log, workspace, ref, times));
  json series = json::array();
  for (size_t i = 0; i < times.size(); ++i) {
    series.push_back({{"time", FormatRfc3339Micros(times[i]).value_or("")}, {"progress", ProgressJson(progress.at[i])}});
  }
  return json{{"ref", node.ref},
              {"title", StringOrNull(node.state, "title")},
              {"status", StringOrNull(node.state, "status")},
              {"owner", StringOrNull(node.state, "owner")},
              {"progress", ProgressJson(progress.now)},
              {"at_risk", AtRisk(node.state, times.back(), progress.at.back())},
              {"series", std::move(series)}};
}

Result<json> KeyResultJson(const EventLog& log, std::string_view workspace, const Workspace& ws, const Node& kr,
                           const std::vector<int64_t>& times) {
  KEEL_ASSIGN_OR_RETURN(json out, ProgressNodeJson(log, workspace, kr, times));
  json initiatives = json::array();
  if (auto it = ws.initiatives_of.find(kr.ref); it != ws.initiatives_of.end()) {
    for (const Node& initiative : it->second) {
      initiatives.push_back({{"ref", initiative.ref},
                             {"title", StringOrNull(initiative.state, "title")},
                             {"status", StringOrNull(initiative.state, "status")},
                             {"progress", ProgressJson(ProgressShare(initiative.state))},
                             {"tasks", TasksJson(ws, initiative.ref)}});
    }
  }
  out["initiatives"] = std::move(initiatives);
  out["tasks"] = TasksJson(ws, kr.ref);
  return out;
}

Result<int64_t> ParseTimeParameter(std::string_view name, std::string_view text) {
  auto micros = TryParseRfc3339Micros(text);
  if (!micros) {
    return Status::InvalidArgument("query parameter '" + std::string(name) + "': '" + std::string(text) +
                                   "' is not an RFC 3339 time (e.g. 2026-03-15T00:00:00Z)");
  }
  return *micros;
}

}  // namespace

Result<OkrQuery> ParseOkrQuery(std::string_view from, std::string_view to, std::string_view points) {
  OkrQuery query;
  if (!from.empty()) {
    KEEL_ASSIGN_OR_RETURN(query.from_micros, ParseTimeParameter("from", from));
  }
  if (!to.empty()) {
    KEEL_ASSIGN_OR_RETURN(query.to_micros, ParseTimeParameter("to", to));
  }
  if (query.from_micros && query.to_micros && *query.from_micros > *query.to_micros) {
    return Status::InvalidArgument("query parameters 'from' and 'to': from (" + std::string(from) +
                                   ") is after to (" + std::string(to) + ")");
  }
  if (!points.empty()) {
    int n = 0;
    auto [end, ec] = std::from_chars(points.data(), points.data() + points.size(), n);
    if (ec != std::errc() || end != points.data() + points.size() || n < 1 || n > kMaxOkrPoints) {
      return Status::InvalidArgument("query parameter 'points': '" + std::string(points) +
                                     "' is not a whole number from 1 to " + std::to_string(kMaxOkrPoints));
    }
    query.points = n;
  }
  return query;
}

Result<json> OkrTree(const EventLog& log, std::string_view workspace, const OkrQuery& query,
                     const VisibleToCaller& visible) {
  KEEL_ASSIGN_OR_RETURN(Workspace ws, ReadWorkspace(log, workspace, visible));
  std::optional<int64_t> from = query.from_micros ? query.from_micros : ws.first_micros;
  std::optional<int64_t> to = query.to_micros ? query.to_micros : ws.last_micros;
  json tree = {{"workspace", workspace}, {"from", nullptr}, {"to", nullptr}, {"objectives", json::array()}};
  if (!from || !to) return tree;  // nothing in the workspace to draw
  if (*from > *to) from = to;     // only one bound given, and past the other
  tree["from"] = FormatRfc3339Micros(*from).value_or("");
  tree["to"] = FormatRfc3339Micros(*to).value_or("");
  std::vector<int64_t> times = EvenlySpacedTimes(*from, *to, query.points);

  for (const Node& goal : ws.goals) {
    KEEL_ASSIGN_OR_RETURN(json objective, ProgressNodeJson(log, workspace, goal, times));
    json key_results = json::array();
    if (auto it = ws.key_results_of.find(goal.ref); it != ws.key_results_of.end()) {
      for (const Node& kr : it->second) {
        KEEL_ASSIGN_OR_RETURN(json key_result, KeyResultJson(log, workspace, ws, kr, times));
        key_results.push_back(std::move(key_result));
      }
    }
    objective["key_results"] = std::move(key_results);
    tree["objectives"].push_back(std::move(objective));
  }
  return tree;
}

}  // namespace keel::api
