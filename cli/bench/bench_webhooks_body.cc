#include "cli/bench/bench_webhooks_body.h"

#include <nlohmann/json.hpp>

namespace keel::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSite[] = "https://acme.atlassian.net";

Json AvatarUrls(const std::string& base) {
  return {{"48x48", base + "?s=48"}, {"24x24", base + "?s=24"}, {"16x16", base + "?s=16"}, {"32x32", base + "?s=32"}};
}

// A user as Jira Cloud sends one (accountId, no user name).
Json User(const std::string& account_id, const std::string& name) {
  return {{"self", std::string(kSite) + "/rest/api/2/user?accountId=" + account_id},
          {"accountId", account_id},
          {"avatarUrls", AvatarUrls("https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/" +
                                    account_id + "/48")},
          {"displayName", name},
          {"active", true},
          {"timeZone", "Europe/Berlin"},
          {"accountType", "atlassian"}};
}

Json Status(const std::string& id, const std::string& name, const std::string& category) {
  return {{"self", std::string(kSite) + "/rest/api/2/status/" + id},
          {"description", ""},
          {"iconUrl", std::string(kSite) + "/images/icons/statuses/generic.png"},
          {"name", name},
          {"id", id},
          {"statusCategory", {{"self", std::string(kSite) + "/rest/api/2/statuscategory/4"},
                              {"id", 4},
                              {"key", category},
                              {"colorName", "yellow"},
                              {"name", name}}}};
}

Json Option(int id, const std::string& value) {
  return {{"self", std::string(kSite) + "/rest/api/2/customFieldOption/" + std::to_string(id)},
          {"value", value},
          {"id", std::to_string(id)}};
}

// Custom fields of the kinds a Jira Cloud site accumulates: select lists,
// numbers, text, a sprint, a team, dates, nulls for the unused ones.
void AddCustomFields(Json* fields, int issue) {
  (*fields)["customfield_10016"] = 5.0;  // story points
  (*fields)["customfield_10019"] = "0|i0000" + std::to_string(issue) + ":";  // rank
  (*fields)["customfield_10020"] = Json::array({{{"id", 37},
                                                 {"name", "OPS Sprint 14"},
                                                 {"state", "active"},
                                                 {"boardId", 2},
                                                 {"goal", "Ship the launch brief and its checklist"},
                                                 {"startDate", "2026-11-30T09:00:00.000Z"},
                                                 {"endDate", "2026-12-14T09:00:00.000Z"}}});
  (*fields)["customfield_10021"] = Json::array({Option(10019, "Impediment")});
  (*fields)["customfield_10001"] = {{"id", "8c0ba5d2-7b4f-4d6e-9b8e-0f2a1c3d4e5f"},
                                    {"name", "Platform"},
                                    {"title", "Platform"},
                                    {"isShared", true}};
  (*fields)["customfield_10030"] = Option(10040, "Customer facing");
  (*fields)["customfield_10031"] = Json::array({Option(10050, "EMEA"), Option(10051, "APAC")});
  (*fields)["customfield_10032"] = "2026-12-18";
  (*fields)["customfield_10033"] = 12500.0;
  (*fields)["customfield_10034"] = "Launch readiness review signed off by the release manager.";
  (*fields)["customfield_10035"] = User("5b10ac8d82e05b22cc7d4ef5", "Dana Scully");
  for (int n = 10040; n < 10060; ++n) (*fields)["customfield_" + std::to_string(n)] = nullptr;
  (*fields)["customfield_10000"] = "{}";
  (*fields)["customfield_10015"] = "2026-12-01";
}

}  // namespace

std::string JiraIssueUpdatedBody(int issue, int64_t timestamp_ms, size_t bytes) {
  const std::string id = std::to_string(10000 + issue);
  const std::string key = "OPS-" + std::to_string(100 + issue);
  Json fields = {
      {"statuscategorychangedate", "2026-12-07T10:15:00.000+0000"},
      {"issuetype", {{"self", std::string(kSite) + "/rest/api/2/issuetype/10001"},
                     {"id", "10001"},
                     {"description", "A small, distinct piece of work."},
                     {"iconUrl", std::string(kSite) + "/rest/api/2/universal_avatar/view/type/issuetype/avatar/10318"},
                     {"name", "Task"},
                     {"subtask", false},
                     {"avatarId", 10318},
                     {"entityId", "d1b0f2a3-5c4e-4f6a-8b7c-9d0e1f2a3b4c"},
                     {"hierarchyLevel", 0}}},
      {"timespent", nullptr},
      {"project", {{"self", std::string(kSite) + "/rest/api/2/project/10000"},
                   {"id", "10000"},
                   {"key", "OPS"},
                   {"name", "Operations"},
                   {"projectTypeKey", "software"},
                   {"simplified", true},
                   {"avatarUrls", AvatarUrls(std::string(kSite) + "/rest/api/2/universal_avatar/view/type/project/avatar/10411")}}},
      {"fixVersions", Json::array()},
      {"aggregatetimespent", nullptr},
      {"resolution", nullptr},
      {"resolutiondate", nullptr},
      {"workratio", -1},
      {"lastViewed", "2026-12-07T10:14:02.331+0000"},
      {"watches", {{"self", std::string(kSite) + "/rest/api/2/issue/" + key + "/watchers"},
                   {"watchCount", 2},
                   {"isWatching", true}}},
      {"created", "2026-12-01T08:30:41.962+0000"},
      {"priority", {{"self", std::string(kSite) + "/rest/api/2/priority/3"},
                    {"iconUrl", std::string(kSite) + "/images/icons/priorities/medium.svg"},
                    {"name", "Medium"},
                    {"id", "3"}}},
      {"labels", {"launch", "q4"}},
      {"timeestimate", nullptr},
      {"aggregatetimeoriginalestimate", nullptr},
      {"versions", Json::array()},
      {"issuelinks", Json::array()},
      {"assignee", User("5b10ac8d82e05b22cc7d4ef5", "Dana Scully")},
      {"updated", "2026-12-07T10:15:00.000+0000"},
      {"status", Status("3", "In Progress", "indeterminate")},
      {"components", Json::array({{{"self", std::string(kSite) + "/rest/api/2/component/10000"},
                                   {"id", "10000"},
                                   {"name", "Release"}}})},
      {"timeoriginalestimate", nullptr},
      {"timetracking", Json::object()},
      {"attachment", Json::array()},
      {"aggregatetimeestimate", nullptr},
      {"summary", "Prepare the launch brief for issue " + key},
      {"creator", User("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", "Fox Mulder")},
      {"subtasks", Json::array()},
      {"reporter", User("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", "Fox Mulder")},
      {"aggregateprogress", {{"progress", 0}, {"total", 0}}},
      {"environment", nullptr},
      {"duedate", "2026-12-18"},
      {"progress", {{"progress", 0}, {"total", 0}}},
      {"votes", {{"self", std::string(kSite) + "/rest/api/2/issue/" + key + "/votes"},
                 {"votes", 0},
                 {"hasVoted", false}}},
      {"description", ""},
  };
  AddCustomFields(&fields, issue);
  Json body = {
      {"timestamp", timestamp_ms},
      {"webhookEvent", "jira:issue_updated"},
      {"issue_event_type_name", "issue_generic"},
      {"user", User("5b10ac8d82e05b22cc7d4ef5", "Dana Scully")},
      {"issue", {{"id", id}, {"self", std::string(kSite) + "/rest/api/2/issue/" + id}, {"key", key}, {"fields", fields}}},
      {"changelog", {{"id", std::to_string(20000 + issue)},
                     {"items", Json::array({{{"field", "status"},
                                             {"fieldtype", "jira"},
                                             {"fieldId", "status"},
                                             {"from", "10000"},
                                             {"fromString", "To Do"},
                                             {"to", "3"},
                                             {"toString", "In Progress"}}})}}},
  };
  // The description fills the body to `bytes`: paragraphs of a brief, as
  // people write them.
  const std::string paragraph =
      "The launch brief covers scope, owners, the rollout plan by region and the checks that gate each step. "
      "Link the dashboards the on-call engineer watches during the rollout, and list who signs off.\n\n";
  size_t size = body.dump().size();
  std::string description;
  while (size + description.size() + paragraph.size() + 4 <= bytes) description += paragraph;
  body["issue"]["fields"]["description"] = description;
  return body.dump();
}

}  // namespace keel::cli
