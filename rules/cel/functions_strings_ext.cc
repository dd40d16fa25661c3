// cel-go's strings extension beyond the helpers of functions_strings.cc:
// charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace with a count,
// split with a count, substring, reverse, strings.quote. Indexes count code
// points, as cel-go's do; an index outside the string is an error.
#include <algorithm>

#include "engine/utf8.h"
#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind S = Kind::kString, I = Kind::kInt, L = Kind::kList;

// The byte offset where each code point starts, plus the end.
std::vector<size_t> CodePointStarts(std::string_view s) {
  std::vector<size_t> starts;
  starts.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); i += Utf8LeadLength(static_cast<unsigned char>(s[i]))) starts.push_back(i);
  starts.push_back(s.size());
  return starts;
}

Value OutOfRange(int64_t index) {
  return Value::Error(ErrorCode::kIndexOutOfRange, "index out of range: " + std::to_string(index));
}

// The code point index of byte offset `at` (a code point start).
int64_t IndexOfByte(const std::vector<size_t>& starts, size_t at) {
  return std::lower_bound(starts.begin(), starts.end(), at) - starts.begin();
}

Value CharAt(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString();
  int64_t i = a[1]->AsInt();
  ctx.Charge(StringCost(s.size()));
  std::vector<size_t> starts = CodePointStarts(s);
  int64_t length = static_cast<int64_t>(starts.size()) - 1;
  if (i < 0 || i > length) return OutOfRange(i);
  if (i == length) return Value::String("");
  return Value::String(s.substr(starts[i], starts[i + 1] - starts[i]));
}

Value IndexOfFrom(std::string_view s, std::string_view sub, int64_t from, EvalContext& ctx) {
  ctx.Charge(StringCost(s.size()));
  std::vector<size_t> starts = CodePointStarts(s);
  int64_t length = static_cast<int64_t>(starts.size()) - 1;
  if (sub.empty()) return Value::Int(from);
  if (from < 0 || from >= length) return OutOfRange(from);
  size_t hit = s.find(sub, starts[from]);
  if (hit == std::string_view::npos) return Value::Int(-1);
  return Value::Int(IndexOfByte(starts, hit));
}
Value IndexOf(Args a, EvalContext& ctx) { return IndexOfFrom(a[0]->AsString(), a[1]->AsString(), 0, ctx); }
Value IndexOfAt(Args a, EvalContext& ctx) {
  return IndexOfFrom(a[0]->AsString(), a[1]->AsString(), a[2]->AsInt(), ctx);
}

// The last match starting at or before code point `from`; nullopt `from`: anywhere.
Value LastIndexOfFrom(std::string_view s, std::string_view sub, std::optional<int64_t> from, EvalContext& ctx) {
  ctx.Charge(StringCost(s.size()));
  std::vector<size_t> starts = CodePointStarts(s);
  int64_t length = static_cast<int64_t>(starts.size()) - 1;
  if (from && sub.empty()) return Value::Int(*from);
  if (from && (*from < 0 || *from >= length)) return OutOfRange(*from);
  int64_t last = from.value_or(length);
  if (sub.empty()) return Value::Int(last);
  size_t hit = s.rfind(sub, starts[std::min(last, length)]);
  if (hit == std::string_view::npos) return Value::Int(-1);
  return Value::Int(IndexOfByte(starts, hit));
}
Value LastIndexOf(Args a, EvalContext& ctx) {
  return LastIndexOfFrom(a[0]->AsString(), a[1]->AsString(), std::nullopt, ctx);
}
Value LastIndexOfAt(Args a, EvalContext& ctx) {
  return LastIndexOfFrom(a[0]->AsString(), a[1]->AsString(), a[2]->AsInt(), ctx);
}

template <bool kUpper>
Value AsciiCase(Args a, EvalContext& ctx) {
  std::string out(a[0]->AsString());
  ctx.Charge(StringCost(out.size()));
  for (char& c : out) {
    if (kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (!kUpper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return Value::String(out);
}

// s.replace(old, new, n): the first n occurrences; all when n < 0.
Value ReplaceN(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString(), from = a[1]->AsString(), to = a[2]->AsString();
  int64_t limit = a[3]->AsInt();
  ctx.Charge(StringCost(s.size()));
  std::string out;
  size_t start = 0;
  int64_t done = 0;
  std::vector<size_t> starts = from.empty() ? CodePointStarts(s) : std::vector<size_t>{};
  size_t next_code_point = 0;
  while (limit < 0 || done < limit) {
    size_t hit;
    if (from.empty()) {
      // As Go's strings.Replace: an empty `old` matches before each code point and at the end.
      if (next_code_point >= starts.size()) break;
      hit = starts[next_code_point++];
    } else {
      hit = s.find(from, start);
      if (hit == std::string_view::npos) break;
    }
    out.append(s.substr(start, hit - start)).append(to);
    start = hit + from.size();
    ++done;
    if (!ctx.AllowString(out.size())) return ctx.Stopped();
  }
  out.append(s.substr(std::min(start, s.size())));
  if (!ctx.AllowString(out.size()) || !ctx.Charge(StringCost(out.size()))) return ctx.Stopped();
  return Value::String(out);
}

// s.split(sep, n): at most n parts (the last holds the rest); none when n ==
// 0; all when n < 0 (Go's strings.SplitN).
Value SplitN(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString(), sep = a[1]->AsString();
  int64_t limit = a[2]->AsInt();
  ctx.Charge(StringCost(s.size()));
  std::vector<Value> parts;
  if (limit == 0) return Value::List({});
  size_t start = 0;
  while (limit < 0 || static_cast<int64_t>(parts.size()) < limit - 1) {
    size_t hit;
    if (sep.empty()) {
      if (start >= s.size()) break;
      hit = start + Utf8LeadLength(static_cast<unsigned char>(s[start]));
      if (hit >= s.size()) break;
      parts.push_back(Value::String(s.substr(start, hit - start)));
      start = hit;
    } else {
      hit = s.find(sep, start);
      if (hit == std::string_view::npos) break;
      parts.push_back(Value::String(s.substr(start, hit - start)));
      start = hit + sep.size();
    }
    if (!ctx.AllowList(parts.size() + 1)) return ctx.Stopped();
  }
  if (!(sep.empty() && s.empty())) parts.push_back(Value::String(s.substr(start)));
  if (!ctx.AllowList(parts.size()) || !ctx.Charge(static_cast<int64_t>(parts.size()))) return ctx.Stopped();
  return Value::List(std::move(parts));
}

Value SubstringRange(std::string_view s, int64_t begin, std::optional<int64_t> end, EvalContext& ctx) {
  ctx.Charge(StringCost(s.size()));
  std::vector<size_t> starts = CodePointStarts(s);
  int64_t length = static_cast<int64_t>(starts.size()) - 1;
  if (begin < 0 || begin > length) return OutOfRange(begin);
  int64_t stop = end.value_or(length);
  if (stop < 0 || stop > length) return OutOfRange(stop);
  if (begin > stop) {
    return Value::Error(ErrorCode::kInvalidArgument, "invalid substring range. start: " + std::to_string(begin) +
                                                         ", end: " + std::to_string(stop));
  }
  return Value::String(s.substr(starts[begin], starts[stop] - starts[begin]));
}
Value Substring(Args a, EvalContext& ctx) { return SubstringRange(a[0]->AsString(), a[1]->AsInt(), std::nullopt, ctx); }
Value SubstringTo(Args a, EvalContext& ctx) {
  return SubstringRange(a[0]->AsString(), a[1]->AsInt(), a[2]->AsInt(), ctx);
}

Value Reverse(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString();
  ctx.Charge(StringCost(s.size()));
  std::vector<size_t> starts = CodePointStarts(s);
  std::string out;
  out.reserve(s.size());
  for (size_t k = starts.size() - 1; k > 0; --k) out.append(s.substr(starts[k - 1], starts[k] - starts[k - 1]));
  return Value::String(out);
}

// strings.quote(s): a double-quoted CEL string literal of s.
Value Quote(Args a, EvalContext& ctx) {
  std::string_view s = a[0]->AsString();
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: out += c;
    }
  }
  out += '"';
  if (!ctx.AllowString(out.size()) || !ctx.Charge(StringCost(out.size()))) return ctx.Stopped();
  return Value::String(out);
}

}  // namespace

void RegisterStringExtensionFunctions(FunctionRegistry& r) {
  r.Add("charAt", true, {S, I}, S, CharAt);
  r.Add("indexOf", true, {S, S}, I, IndexOf);
  r.Add("indexOf", true, {S, S, I}, I, IndexOfAt);
  r.Add("lastIndexOf", true, {S, S}, I, LastIndexOf);
  r.Add("lastIndexOf", true, {S, S, I}, I, LastIndexOfAt);
  r.Add("lowerAscii", true, {S}, S, AsciiCase<false>);
  r.Add("upperAscii", true, {S}, S, AsciiCase<true>);
  r.Add("replace", true, {S, S, S, I}, S, ReplaceN);
  r.Add("split", true, {S, S, I}, L, SplitN);
  r.Add("substring", true, {S, I}, S, Substring);
  r.Add("substring", true, {S, I, I}, S, SubstringTo);
  r.Add("reverse", true, {S}, S, Reverse);
  r.Add("strings.quote", false, {S}, S, Quote);
}

}  // namespace keel::cel
