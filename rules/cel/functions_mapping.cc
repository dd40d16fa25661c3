// Functions for mapping other tools' payloads into keel events
// (connectors/webhooks): parse_time() reads the time formats the tools send,
// date_string() writes a due date, slug() turns a tool's status or field name
// into keel's snake_case, person() resolves a tool's user through the
// workspace's people file (the activation's PeopleDirectory), identity()
// a keel user's identity in a tool (action mappings, connectors/actions), and
// keel_marker() / keel_subject() write and read back the mark an action
// mapping leaves on an item it creates, so the tool's webhooks about that item
// land on the keel entity (connectors/actions/README.md, "One entity across tools").
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "engine/event.h"
#include "engine/expression.h"
#include "engine/utf8.h"
#include "rules/cel/functions.h"
#include "rules/cel/time_values.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind D = Kind::kDyn, S = Kind::kString, T = Kind::kTimestamp;

constexpr size_t kMaxSlugLength = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Value BadTime(std::string_view what) {
  return Value::Error(ErrorCode::kInvalidArgument,
                      "parse_time: cannot read " + std::string(what) +
                          " as a time (RFC 3339, '2018-09-18T12:32:20.000+0000', '2016-06-21 10:00:00 UTC' "
                          "or Unix milliseconds expected)");
}

Value FromMillis(__int128 millis) {
  if (millis < static_cast<__int128>(kMinTimestampSeconds) * 1000 ||
      millis > static_cast<__int128>(kMaxTimestampSeconds) * 1000 + 999) {
    return Value::Error(ErrorCode::kOverflow, "parse_time: milliseconds out of the timestamp range");
  }
  int64_t ms = static_cast<int64_t>(millis);
  int64_t seconds = FloorDiv(ms, 1000);
  return MakeTimestampValue(seconds, (ms - seconds * 1000) * 1000000);
}

// The tools' text forms, rewritten into RFC 3339 for the engine's reader:
// Jira's "+0000" offset without a colon, GitLab's " UTC" and " +0200".
std::string ToRfc3339(std::string_view text) {
  std::string s(text);
  if (s.size() > 4 && s.compare(s.size() - 4, 4, " UTC") == 0) {
    s.replace(s.size() - 4, 4, "Z");
    return s;
  }
  // ...[+-]HHMM at the end, possibly after a space.
  if (s.size() > 5) {
    size_t sign = s.size() - 5;
    if ((s[sign] == '+' || s[sign] == '-') && IsDigit(s[sign + 1]) && IsDigit(s[sign + 2]) && IsDigit(s[sign + 3]) &&
        IsDigit(s[sign + 4])) {
      s.insert(sign + 3, ":");
      if (sign > 0 && s[sign - 1] == ' ') s.erase(sign - 1, 1);
    }
  }
  return s;
}

Value ParseTimeString(Args a, EvalContext&) {
  std::string_view text = a[0]->AsString();
  bool digits = !text.empty() && text.size() <= 19;
  for (char c : text) digits = digits && IsDigit(c);
  if (digits) return FromMillis(std::stoll(std::string(text)));
  int64_t seconds;
  int32_t nanos;
  std::string rfc3339 = ToRfc3339(text);
  if (!ParseTimestamp(rfc3339, &seconds, &nanos)) {
    return BadTime("'" + std::string(text.substr(0, 64)) + (text.size() > 64 ? "...'" : "'"));
  }
  return MakeTimestampValue(seconds, nanos);
}
Value ParseTimeInt(Args a, EvalContext&) { return FromMillis(a[0]->AsInt()); }
Value ParseTimeUint(Args a, EvalContext&) { return FromMillis(static_cast<__int128>(a[0]->AsUint())); }
Value ParseTimeDouble(Args a, EvalContext&) {
  double ms = a[0]->AsDouble();
  if (!std::isfinite(ms) || std::fabs(ms) > 3e17) return BadTime(a[0]->DebugString());
  double whole = std::floor(ms);
  Value base = FromMillis(static_cast<__int128>(whole));
  if (base.IsError()) return base;
  int64_t extra_nanos = static_cast<int64_t>(std::llround((ms - whole) * 1e6));
  return MakeTimestampValue(base.TimestampSeconds(), base.TimestampNanos() + extra_nanos);
}
Value ParseTimeTimestamp(Args a, EvalContext&) { return *a[0]; }
Value ParseTimeOther(Args a, EvalContext&) {
  return BadTime(std::string(KindName(a[0]->kind())) + " " + a[0]->DebugString());
}

Value DateStringIn(const Value& t, std::string_view zone_name) {
  Result<std::shared_ptr<const TimeZone>> zone = TimeZone::Load(zone_name);
  if (!zone.ok()) return Value::Error(ErrorCode::kInvalidArgument, zone.status().message());
  CivilTime civil = ToCivil(t.TimestampSeconds(), t.TimestampNanos(), **zone);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", civil.date.year, civil.date.month, civil.date.day);
  return Value::String(text);
}
Value DateString(Args a, EvalContext&) { return DateStringIn(*a[0], "UTC"); }
Value DateStringZone(Args a, EvalContext&) { return DateStringIn(*a[0], a[1]->AsString()); }

Value Slug(Args a, EvalContext& ctx) {
  std::string_view text = a[0]->AsString();
  if (!ctx.Charge(StringCost(text.size()))) return ctx.Stopped();
  std::string slug;
  bool gap = false;
  for (char c : text) {
    char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if ((lower >= 'a' && lower <= 'z') || IsDigit(lower)) {
      if (gap && !slug.empty()) slug += '_';
      gap = false;
      slug += lower;
    } else {
      gap = true;
    }
  }
  if (slug.empty()) {
    return Value::Error(ErrorCode::kInvalidArgument,
                        "slug: '" + std::string(text.substr(0, 64)) + "' has no letter or digit to keep");
  }
  if (IsDigit(slug[0])) slug.insert(slug.begin(), '_');
  if (slug.size() > kMaxSlugLength) slug.resize(kMaxSlugLength);
  while (!slug.empty() && slug.back() == '_') slug.pop_back();
  return Value::String(slug);
}

// An identity as the people file writes it: strings as they are, whole numbers
// in decimal (ClickUp's user ids arrive as JSON numbers).
std::optional<std::string> IdentityText(const Value& identity) {
  switch (identity.kind()) {
    case Kind::kString: return std::string(identity.AsString());
    case Kind::kInt: return std::to_string(identity.AsInt());
    case Kind::kUint: return std::to_string(identity.AsUint());
    case Kind::kDouble: {
      double d = identity.AsDouble();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
        return std::to_string(static_cast<int64_t>(d));
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

Value Person(Args a, EvalContext& ctx) {
  if (a[1]->IsNull()) return Value::Null();
  std::string_view tool = a[0]->AsString();
  std::optional<std::string> identity = IdentityText(*a[1]);
  if (!identity || identity->empty()) {
    return Value::Error(ErrorCode::kInvalidArgument, "person: the identity must be a string or a whole number, got " +
                                                         std::string(KindName(a[1]->kind())) + " " + a[1]->DebugString());
  }
  const PeopleDirectory* people = ctx.activation->people();
  if (people != nullptr) {
    if (std::optional<std::string_view> id = people->Find(tool, *identity)) return Value::String("user:" + std::string(*id));
  }
  return Value::String(std::string(tool) + ":" + *identity);
}

// identity(tool, user): "user:ID" (or a bare ID) -> the person's first
// identity of `tool`; "TOOL:IDENTITY", what person() gives for someone the
// file does not know, -> IDENTITY; null or unknown -> null.
Value Identity(Args a, EvalContext& ctx) {
  if (a[1]->IsNull()) return Value::Null();
  if (a[1]->kind() != Kind::kString) {
    return Value::Error(ErrorCode::kInvalidArgument, "identity: the user must be a string (user:ID), got " +
                                                         std::string(KindName(a[1]->kind())) + " " + a[1]->DebugString());
  }
  std::string_view tool = a[0]->AsString();
  std::string_view user = a[1]->AsString();
  if (user.size() > tool.size() && user.substr(0, tool.size()) == tool && user[tool.size()] == ':') {
    return Value::String(std::string(user.substr(tool.size() + 1)));
  }
  if (user.starts_with("user:")) user.remove_prefix(5);
  if (user.empty()) return Value::Null();
  const PeopleDirectory* people = ctx.activation->people();
  if (people != nullptr) {
    if (std::optional<std::string_view> identity = people->IdentityOf(tool, user)) {
      return Value::String(std::string(*identity));
    }
  }
  return Value::Null();
}

// The marker of entity KIND/ID is keel-KIND-ESCAPED: ESCAPED is ID with every
// byte outside [A-Za-z0-9._-] written %XX (upper-case hex), so the marker has
// no space (a Jira label may not) and ends before any ')' or white space.
constexpr std::string_view kMarkerPrefix = "keel-";

bool IsMarkerByte(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '.' || c == '_' || c == '-';
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Value KeelMarker(Args a, EvalContext&) {
  EntityRef ref;
  std::string_view subject = a[0]->AsString();
  if (!ParseEntityRef(subject, &ref) || !IsEntityKind(ref.kind)) {
    return Value::Error(ErrorCode::kInvalidArgument, "keel_marker: '" + std::string(subject.substr(0, 80)) +
                                                         "' is not an entity KIND/ID (task/T-7, initiative/IN-2, ...)");
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string marker = std::string(kMarkerPrefix) + ref.kind + "-";
  for (char c : ref.id) {
    if (IsMarkerByte(c)) {
      marker.push_back(c);
    } else {
      unsigned char byte = static_cast<unsigned char>(c);
      marker += {'%', kHex[byte >> 4], kHex[byte & 0xF]};
    }
  }
  return Value::String(marker);
}

// KIND/ID of a whole marker, or nothing when `text` is not one (another label,
// a kind that has no entities, a bad %XX, an id that is not UTF-8).
std::optional<std::string> SubjectOfMarker(std::string_view text) {
  if (!text.starts_with(kMarkerPrefix)) return std::nullopt;
  text.remove_prefix(kMarkerPrefix.size());
  size_t dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  std::string_view kind = text.substr(0, dash);
  if (!IsEntityKind(kind)) return std::nullopt;
  std::string id;
  for (size_t i = dash + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = HexValue(text[i + 1]), low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      id.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (IsMarkerByte(c)) {
      id.push_back(c);
    } else {
      return std::nullopt;
    }
  }
  if (!IsValidUtf8(id)) return std::nullopt;
  return std::string(kind) + "/" + id;
}

// keel_subject(labels or text): the entity of the first marker in a list of
// labels (tags), or of the last "(MARKER)" in a text (keel writes its line at
// the end of a description); null when there is none, or for null.
Value KeelSubject(Args a, EvalContext& ctx) {
  const Value& x = *a[0];
  if (x.IsNull()) return Value::Null();
  if (x.kind() == Kind::kList) {
    for (const Value& label : x.ListItems()) {
      if (label.kind() != Kind::kString) continue;
      if (std::optional<std::string> subject = SubjectOfMarker(label.AsString())) return Value::String(*subject);
    }
    return Value::Null();
  }
  if (x.kind() != Kind::kString) {
    return Value::Error(ErrorCode::kInvalidArgument, "keel_subject: needs a list of labels or a text, got " +
                                                         std::string(KindName(x.kind())));
  }
  std::string_view text = x.AsString();
  ctx.Charge(StringCost(text.size()));
  std::optional<std::string> last;
  for (size_t open = text.find("(keel-"); open != std::string_view::npos; open = text.find("(keel-", open + 1)) {
    size_t close = text.find(')', open);
    if (close == std::string_view::npos) break;
    if (std::optional<std::string> subject = SubjectOfMarker(text.substr(open + 1, close - open - 1))) last = subject;
  }
  if (!last) return Value::Null();
  return Value::String(*last);
}

}  // namespace

void RegisterMappingFunctions(FunctionRegistry& r) {
  r.Add("parse_time", false, {S}, T, ParseTimeString);
  r.Add("parse_time", false, {Kind::kInt}, T, ParseTimeInt);
  r.Add("parse_time", false, {Kind::kUint}, T, ParseTimeUint);
  r.Add("parse_time", false, {Kind::kDouble}, T, ParseTimeDouble);
  r.Add("parse_time", false, {T}, T, ParseTimeTimestamp);
  for (Kind other : {Kind::kNull, Kind::kBool, Kind::kBytes, Kind::kList, Kind::kMap, Kind::kDuration, Kind::kType}) {
    r.Add("parse_time", false, {other}, T, ParseTimeOther);
  }
  r.Add("date_string", false, {T}, S, DateString);
  r.Add("date_string", false, {T, S}, S, DateStringZone);
  r.Add("slug", false, {S}, S, Slug);
  r.Add("person", false, {S, D}, D, Person);
  r.Add("identity", false, {S, D}, D, Identity);
  r.Add("keel_marker", false, {S}, S, KeelMarker);
  r.Add("keel_subject", false, {D}, D, KeelSubject);
}

}  // namespace keel::cel
