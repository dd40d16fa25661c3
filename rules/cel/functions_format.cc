// s.format(list): printf-style formatting as cel-go's strings extension does
// it. Clauses: %s (any value but errors, lists and maps written as
// [a, b] and {k: v} with keys sorted), %d, %f and %e (with an optional
// precision, %.3f), %x and %X (integers, strings and bytes as hex), %o, %b,
// and %% for a percent sign. The result counts toward the string size limit
// and its length toward the cost, as it is built.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "engine/utf8.h"
#include "rules/cel/functions.h"
#include "rules/cel/time_values.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;

Value FormatError(std::string message) {
  return Value::Error(ErrorCode::kInvalidArgument, "error during formatting: " + std::move(message));
}

std::string NonFinite(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

// Bytes as text: invalid UTF-8 sequences become U+FFFD.
std::string BytesAsText(std::string_view b) {
  std::string out;
  while (!b.empty()) {
    size_t valid = Utf8ValidPrefix(b);
    out.append(b.substr(0, valid));
    b.remove_prefix(valid);
    if (!b.empty()) {
      AppendUtf8(0xFFFD, &out);
      b.remove_prefix(1);
    }
  }
  return out;
}

// %s of one value; false when the value cannot be written as a string.
bool AppendString(const Value& v, std::string* out, EvalContext& ctx, int depth = 0) {
  if (!ctx.Charge(1) || depth > 64) return false;
  switch (v.kind()) {
    case Kind::kNull: *out += "null"; return true;
    case Kind::kBool: *out += v.AsBool() ? "true" : "false"; return true;
    case Kind::kInt: *out += std::to_string(v.AsInt()); return true;
    case Kind::kUint: *out += std::to_string(v.AsUint()); return true;
    case Kind::kDouble:
      *out += std::isfinite(v.AsDouble()) ? FormatDouble(v.AsDouble()) : NonFinite(v.AsDouble());
      return true;
    case Kind::kString: *out += v.AsString(); return true;
    case Kind::kBytes: *out += BytesAsText(v.AsString()); return true;
    case Kind::kTimestamp: *out += FormatTimestamp(v.TimestampSeconds(), v.TimestampNanos()); return true;
    case Kind::kDuration: *out += FormatDuration(v.DurationNanos()); return true;
    case Kind::kType: *out += KindName(v.AsType()); return true;
    case Kind::kList: {
      *out += '[';
      bool first = true;
      for (const Value& item : v.ListItems()) {
        if (!first) *out += ", ";
        first = false;
        if (!AppendString(item, out, ctx, depth + 1)) return false;
        if (!ctx.AllowString(out->size())) return false;
      }
      *out += ']';
      return true;
    }
    case Kind::kMap: {
      // Keys in the order of their text, as cel-go writes them.
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const MapEntry& e : v.MapEntries()) {
        std::string key;
        if (!AppendString(e.first, &key, ctx, depth + 1)) return false;
        entries.emplace_back(std::move(key), &e.second);
      }
      std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      *out += '{';
      bool first = true;
      for (const auto& [key, value] : entries) {
        if (!first) *out += ", ";
        first = false;
        *out += key;
        *out += ": ";
        if (!AppendString(*value, out, ctx, depth + 1)) return false;
        if (!ctx.AllowString(out->size())) return false;
      }
      *out += '}';
      return true;
    }
    default:
      return false;
  }
}

std::string Radix(uint64_t n, int base, bool upper) {
  if (n == 0) return "0";
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  while (n > 0) {
    s += digits[n % base];
    n /= base;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

// An integer in `base`, with a minus sign for negative ints.
std::string Integer(const Value& v, int base, bool upper) {
  if (v.kind() == Kind::kUint) return Radix(v.AsUint(), base, upper);
  int64_t i = v.AsInt();
  uint64_t magnitude = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  return (i < 0 ? "-" : "") + Radix(magnitude, base, upper);
}

std::string Printf(char verb, int precision, double d) {
  if (!std::isfinite(d)) return NonFinite(d);
  char format[16];
  std::snprintf(format, sizeof format, "%%.%d%c", precision, verb);
  int n = std::snprintf(nullptr, 0, format, d);
  std::string out(static_cast<size_t>(n), '\0');
  std::snprintf(out.data(), out.size() + 1, format, d);
  return out;
}

// Appends one clause's text for `v`; an error value says why it cannot.
Value Clause(char verb, int precision, const Value& v, std::string* out, EvalContext& ctx) {
  std::string_view kind = KindName(v.kind());
  switch (verb) {
    case 's':
      if (!AppendString(v, out, ctx)) {
        if (ctx.aborted) return ctx.Stopped();
        return FormatError("string clause can only be used on strings, bools, bytes, ints, doubles, maps, "
                           "lists, types, durations, and timestamps, was given " + std::string(kind));
      }
      return Value();
    case 'd':
      if (v.kind() == Kind::kInt || v.kind() == Kind::kUint) {
        *out += Integer(v, 10, false);
      } else if (v.kind() == Kind::kDouble && !std::isfinite(v.AsDouble())) {
        *out += NonFinite(v.AsDouble());
      } else {
        return FormatError("decimal clause can only be used on integers, was given " + std::string(kind));
      }
      return Value();
    case 'f':
    case 'e': {
      double d;
      if (v.kind() == Kind::kDouble) d = v.AsDouble();
      else if (v.kind() == Kind::kInt) d = static_cast<double>(v.AsInt());
      else if (v.kind() == Kind::kUint) d = static_cast<double>(v.AsUint());
      else {
        return FormatError(std::string(verb == 'f' ? "fixed-point" : "scientific") +
                           " clause can only be used on doubles, was given " + std::string(kind));
      }
      *out += Printf(verb, precision < 0 ? 6 : precision, d);
      return Value();
    }
    case 'x':
    case 'X': {
      bool upper = verb == 'X';
      if (v.kind() == Kind::kInt || v.kind() == Kind::kUint) {
        *out += Integer(v, 16, upper);
      } else if (v.kind() == Kind::kString || v.kind() == Kind::kBytes) {
        const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        for (unsigned char c : v.AsString()) {
          *out += digits[c >> 4];
          *out += digits[c & 15];
        }
      } else {
        return FormatError("only integers, byte buffers, and strings can be formatted as hex, was given " +
                           std::string(kind));
      }
      return Value();
    }
    case 'o':
      if (v.kind() != Kind::kInt && v.kind() != Kind::kUint) {
        return FormatError("octal clause can only be used on integers, was given " + std::string(kind));
      }
      *out += Integer(v, 8, false);
      return Value();
    case 'b':
      if (v.kind() == Kind::kBool) {
        *out += v.AsBool() ? "1" : "0";
      } else if (v.kind() == Kind::kInt || v.kind() == Kind::kUint) {
        *out += Integer(v, 2, false);
      } else {
        return FormatError("only integers and bools can be formatted as binary, was given " + std::string(kind));
      }
      return Value();
    default:
      break;
  }
  return Value::Error(ErrorCode::kInvalidArgument, "could not parse formatting clause: unrecognized formatting clause \"" +
                                                       std::string(1, verb) + "\"");
}

Value Format(Args a, EvalContext& ctx) {
  std::string_view pattern = a[0]->AsString();
  std::span<const Value> values = a[1]->ListItems();
  if (!ctx.Charge(StringCost(pattern.size()))) return ctx.Stopped();
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      out += pattern[i];
      continue;
    }
    if (++i >= pattern.size()) {
      return Value::Error(ErrorCode::kInvalidArgument, "could not parse formatting clause: unexpected end of string");
    }
    if (pattern[i] == '%') {
      out += '%';
      continue;
    }
    int precision = -1;
    if (pattern[i] == '.') {
      precision = 0;
      while (++i < pattern.size() && pattern[i] >= '0' && pattern[i] <= '9') {
        precision = precision * 10 + (pattern[i] - '0');
        if (precision > 1000) {
          return Value::Error(ErrorCode::kInvalidArgument, "could not parse formatting clause: precision too large");
        }
      }
      if (i >= pattern.size()) {
        return Value::Error(ErrorCode::kInvalidArgument, "could not parse formatting clause: unexpected end of string");
      }
    }
    char verb = pattern[i];
    if (std::string_view("sdfexXob").find(verb) == std::string_view::npos) {
      return Clause(verb, precision, Value(), &out, ctx);
    }
    if (next >= values.size()) {
      return Value::Error(ErrorCode::kIndexOutOfRange, "index " + std::to_string(next) + " out of range");
    }
    const Value& v = values[next++];
    size_t before = out.size();
    Value error = Clause(verb, precision, v, &out, ctx);
    if (error.IsError()) return error;
    if (ctx.aborted || !ctx.AllowString(out.size()) || !ctx.Charge(StringCost(out.size() - before))) {
      return ctx.Stopped();
    }
  }
  return Value::String(out);
}

}  // namespace

void RegisterFormatFunctions(FunctionRegistry& r) { r.Add("format", true, {Kind::kString, Kind::kList}, Kind::kString, Format); }

}  // namespace keel::cel
