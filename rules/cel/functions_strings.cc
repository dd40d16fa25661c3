// String helpers rule authors reach for: lower(), upper(), trim(), split(),
// join(), replace(). Names follow cel-go's strings extension where it has one.
#include "engine/utf8.h"
#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind S = Kind::kString, L = Kind::kList;

// Decodes the code point at s[*i] (valid UTF-8) and advances *i.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = s[*i];
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  uint32_t cp = c & (0x7F >> len);
  for (int k = 1; k < len && *i + k < s.size(); ++k) cp = (cp << 6) | (s[*i + k] & 0x3F);
  *i += len;
  return cp;
}

// Simple (one-to-one) case mapping for Latin, Greek and Cyrillic letters.
uint32_t ToLower(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x100 && c <= 0x137) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 1 ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return c | 1;
  if (c == 0x178) return 0xFF;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

uint32_t ToUpper(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0xE0) return c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x137) return c & ~1u;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 0 ? c - 1 : c;
  if (c >= 0x14A && c <= 0x177) return c & ~1u;
  if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

template <uint32_t (*Map)(uint32_t)>
Value MapCase(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString();
  ctx.Charge(StringCost(s.size()));
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) AppendUtf8(Map(NextCodePoint(s, &i)), &out);
  return Value::String(out);
}

bool IsSpace(uint32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

Value Trim(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString();
  ctx.Charge(StringCost(s.size()));
  size_t begin = 0, end = s.size();
  for (size_t i = 0; i < s.size();) {
    size_t at = i;
    if (!IsSpace(NextCodePoint(s, &i))) {
      begin = at;
      break;
    }
    begin = i;
  }
  size_t last_end = begin;
  for (size_t i = begin; i < s.size();) {
    if (!IsSpace(NextCodePoint(s, &i))) last_end = i;
  }
  end = last_end;
  return Value::String(s.substr(begin, end - begin));
}

Value Split(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString(), sep = a[1]->AsString();
  ctx.Charge(StringCost(s.size()));
  std::vector<Value> parts;
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      size_t at = i;
      NextCodePoint(s, &i);
      parts.push_back(Value::String(s.substr(at, i - at)));
    }
  } else {
    size_t start = 0;
    while (true) {
      size_t hit = s.find(sep, start);
      parts.push_back(Value::String(s.substr(start, hit == std::string_view::npos ? hit : hit - start)));
      if (hit == std::string_view::npos) break;
      start = hit + sep.size();
    }
  }
  if (!ctx.AllowList(parts.size()) || !ctx.Charge(static_cast<int64_t>(parts.size()))) return ctx.Stopped();
  return Value::List(std::move(parts));
}

Value JoinWith(std::span<const Value> items, std::string_view sep, EvalContext& ctx) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].kind() != Kind::kString) {
      return Value::Error(ErrorCode::kNoMatchingOverload,
                          "join() needs a list of strings, found " + std::string(KindName(items[i].kind())));
    }
    if (i > 0) out.append(sep);
    out.append(items[i].AsString());
    if (!ctx.AllowString(out.size())) return ctx.Stopped();
  }
  if (!ctx.Charge(StringCost(out.size()) + static_cast<int64_t>(items.size()))) return ctx.Stopped();
  return Value::String(out);
}
Value Join(Args a, EvalContext& ctx) { return JoinWith(a[0]->ListItems(), "", ctx); }
Value JoinSep(Args a, EvalContext& ctx) { return JoinWith(a[0]->ListItems(), a[1]->AsString(), ctx); }

Value Replace(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString(), from = a[1]->AsString(), to = a[2]->AsString();
  ctx.Charge(StringCost(s.size()));
  std::string out;
  if (from.empty()) {
    // As Go's strings.ReplaceAll: `to` around every code point.
    out.append(to);
    for (size_t i = 0; i < s.size();) {
      size_t at = i;
      NextCodePoint(s, &i);
      out.append(s.substr(at, i - at)).append(to);
      if (!ctx.AllowString(out.size())) return ctx.Stopped();
    }
  } else {
    size_t start = 0;
    while (true) {
      size_t hit = s.find(from, start);
      out.append(s.substr(start, hit == std::string_view::npos ? hit : hit - start));
      if (hit == std::string_view::npos) break;
      out.append(to);
      if (!ctx.AllowString(out.size())) return ctx.Stopped();
      start = hit + from.size();
    }
  }
  if (!ctx.AllowString(out.size()) || !ctx.Charge(StringCost(out.size()))) return ctx.Stopped();
  return Value::String(out);
}

}  // namespace

void RegisterStringFunctions(FunctionRegistry& r) {
  r.Add("lower", true, {S}, S, MapCase<ToLower>);
  r.Add("upper", true, {S}, S, MapCase<ToUpper>);
  r.Add("trim", true, {S}, S, Trim);
  r.Add("split", true, {S, S}, L, Split);
  r.Add("join", true, {L}, S, Join);
  r.Add("join", true, {L, S}, S, JoinSep);
  r.Add("replace", true, {S, S, S}, S, Replace);
}

}  // namespace keel::cel
