#include "connectors/synthetic_events.h"

#include <cstdio>
#include <string_view>

namespace keel {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64: cheap, well spread, deterministic
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Kind {
  const char* name;
  const char* prefix;
};
// Six tasks for every initiative, goal, key result and KPI.
constexpr Kind kKinds[10] = {{"task", "T"}, {"task", "T"},       {"task", "T"},          {"task", "T"},
                             {"task", "T"}, {"task", "T"},       {"initiative", "IN"},   {"goal", "G"},
                             {"key_result", "KR"}, {"kpi", "KPI"}};
constexpr const char* kStatuses[] = {"todo", "in_progress", "in_review", "blocked", "done"};
constexpr const char* kTitles[] = {"Draft the launch brief", "Review landing page copy", "Ship onboarding emails",
                                   "Interview five customers", "Fix checkout latency", "Plan Q3 roadmap"};

}  // namespace

SyntheticEvents::SyntheticEvents(SyntheticOptions options) : options_(std::move(options)) {}

void SyntheticEvents::Append(uint64_t n, std::string* out) const {
  uint64_t r = Mix(n ^ (options_.seed << 32));
  uint64_t entity = n < options_.entities ? n : r % options_.entities;
  const Kind& kind = kKinds[entity % 10];
  uint64_t workspace = (entity / 10) % options_.workspaces;
  int64_t seconds = 1767603600 + static_cast<int64_t>(n);  // from 2026-01-05T09:00:00Z
  int64_t day = seconds / 86400, second_of_day = seconds % 86400;
  // Days since 2026-01-05 stay inside one year for 20M events; good enough for a benchmark.
  int64_t day_of_year = day - 20458 + 4;  // 2026-01-05 is day 4 (0-based)
  int month = 1, month_day = static_cast<int>(day_of_year) + 1;
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  while (month <= 12 && month_day > kMonthDays[month - 1]) month_day -= kMonthDays[month++ - 1];
  if (month > 12) month = 12, month_day = 31;

  char data[200];
  const char* type_suffix;
  uint64_t pick = (r >> 8) % 100;
  if (n < options_.entities) {
    type_suffix = "created";
    std::snprintf(data, sizeof data, R"({"title":"%s #%llu","status":"todo","priority":"%s","labels":["q3","bench"]})",
                  kTitles[r % 6], static_cast<unsigned long long>(entity), (r & 1) ? "high" : "normal");
  } else if (kind.name == std::string_view("key_result") && pick < 40) {
    type_suffix = "progress_reported";
    std::snprintf(data, sizeof data, R"({"value":%llu})", static_cast<unsigned long long>(r % 500));
  } else if (kind.name == std::string_view("kpi") && pick < 40) {
    type_suffix = "measured";
    std::snprintf(data, sizeof data, R"({"value":%llu.%llu})", static_cast<unsigned long long>(r % 1000),
                  static_cast<unsigned long long>((r >> 20) % 10));
  } else if (pick < 45) {
    type_suffix = "status_changed";
    std::snprintf(data, sizeof data, R"({"from":"%s","to":"%s"})", kStatuses[r % 5], kStatuses[(r >> 3) % 5]);
  } else if (pick < 65) {
    type_suffix = "assigned";
    std::snprintf(data, sizeof data, R"({"from":"user:member-%03llu","to":"user:member-%03llu"})",
                  static_cast<unsigned long long>(r % 200), static_cast<unsigned long long>((r >> 16) % 200));
  } else if (pick < 80) {
    type_suffix = "updated";
    std::snprintf(data, sizeof data, R"({"changes":{"priority":{"from":"normal","to":"%s"}}})",
                  (r & 2) ? "high" : "low");
  } else if (pick < 88) {
    type_suffix = "linked";
    std::snprintf(data, sizeof data, R"({"relation":"supports","target":"initiative/IN-%06llu"})",
                  static_cast<unsigned long long>((r >> 24) % options_.entities));
  } else {
    type_suffix = nullptr;  // comment.added
    std::snprintf(data, sizeof data, R"({"text":"Looks good, moving on (note %llu)."})",
                  static_cast<unsigned long long>(r % 10000));
  }
  char line[512];
  int length = std::snprintf(
      line, sizeof line,
      R"({"specversion":"1.0","id":"%s-%010llu","source":"bench/generator","type":"%s%s%s",)"
      R"("time":"2026-%02d-%02dT%02lld:%02lld:%02lldZ","subject":"%s/%s-%06llu","workspace":"ws-%02llu",)"
      R"("actor":"user:member-%03llu","datacontenttype":"application/json","data":%s})",
      options_.id_prefix.c_str(), static_cast<unsigned long long>(n), type_suffix ? kind.name : "comment",
      ".", type_suffix ? type_suffix : "added", month, month_day, static_cast<long long>(second_of_day / 3600),
      static_cast<long long>(second_of_day / 60 % 60), static_cast<long long>(second_of_day % 60), kind.name,
      kind.prefix, static_cast<unsigned long long>(entity), static_cast<unsigned long long>(workspace),
      static_cast<unsigned long long>(r % 200), data);
  out->append(line, static_cast<size_t>(length));
}

}  // namespace keel
