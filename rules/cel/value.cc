// cel::Value: construction, equality, ordering, rendering.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <new>

#include "rules/cel/time_values.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace internal {

void DestroyHeapObject(Kind kind, const HeapObject* object) {
  switch (kind) {
    case Kind::kString:
    case Kind::kBytes: {
      auto* s = static_cast<const StringObject*>(object);
      s->~StringObject();
      ::operator delete(const_cast<StringObject*>(s));
      return;
    }
    case Kind::kList:
    case Kind::kOptional:
      delete static_cast<const ListObject*>(object);
      return;
    case Kind::kMap:
      delete static_cast<const MapObject*>(object);
      return;
    case Kind::kError:
      delete static_cast<const ErrorObject*>(object);
      return;
    default:
      return;
  }
}

namespace {
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}
}  // namespace

uint64_t HashKey(const Value& key) {
  switch (key.kind()) {
    case Kind::kString:
      return HashBytes(key.AsString());
    case Kind::kBool:
      return Mix(key.AsBool() ? 0x51 : 0x50);
    case Kind::kInt:
      return Mix(static_cast<uint64_t>(key.AsInt()));
    case Kind::kUint:
      return key.AsUint() <= static_cast<uint64_t>(INT64_MAX) ? Mix(key.AsUint())
                                                              : Mix(key.AsUint() ^ 0x9e3779b97f4a7c15ull);
    default:
      return 0;
  }
}

}  // namespace internal

using internal::ErrorObject;
using internal::ListObject;
using internal::MapObject;
using internal::StringObject;

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull: return "null_type";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kUint: return "uint";
    case Kind::kDouble: return "double";
    case Kind::kString: return "string";
    case Kind::kBytes: return "bytes";
    case Kind::kList: return "list";
    case Kind::kMap: return "map";
    case Kind::kTimestamp: return "google.protobuf.Timestamp";
    case Kind::kDuration: return "google.protobuf.Duration";
    case Kind::kType: return "type";
    case Kind::kOptional: return "optional_type";
    case Kind::kError: return "error";
    case Kind::kDyn: return "dyn";
  }
  return "unknown";
}

namespace {

Value MakeStringLike(Kind kind, std::string_view s) {
  void* memory = ::operator new(sizeof(StringObject) + s.size());
  auto* object = new (memory) StringObject();
  object->size = s.size();
  if (!s.empty()) std::memcpy(object->data(), s.data(), s.size());
  return ValueAccess::FromHeap(kind, object);
}

// Whether a stored map key equals a probe key (numbers across kinds).
bool KeyEquals(const Value& stored, const Value& probe) {
  if (stored.kind() == probe.kind()) {
    switch (stored.kind()) {
      case Kind::kString: return stored.AsString() == probe.AsString();
      case Kind::kBool: return stored.AsBool() == probe.AsBool();
      case Kind::kInt: return stored.AsInt() == probe.AsInt();
      case Kind::kUint: return stored.AsUint() == probe.AsUint();
      default: return false;
    }
  }
  if (IsNumeric(stored.kind()) && IsNumeric(probe.kind())) return CompareNumbers(stored, probe) == 0;
  return false;
}

void BuildIndex(MapObject* map) {
  size_t capacity = 16;
  while (capacity < map->entries.size() * 2) capacity *= 2;
  map->slots.assign(capacity, 0);
  for (size_t i = 0; i < map->entries.size(); ++i) {
    size_t slot = internal::HashKey(map->entries[i].first) & (capacity - 1);
    while (map->slots[slot] != 0) slot = (slot + 1) & (capacity - 1);
    map->slots[slot] = static_cast<uint32_t>(i + 1);
  }
}

constexpr size_t kIndexedMapSize = 8;

const Value* FindKey(const MapObject& map, const Value& probe) {
  if (map.slots.empty()) {
    for (const MapEntry& e : map.entries) {
      if (KeyEquals(e.first, probe)) return &e.second;
    }
    return nullptr;
  }
  size_t mask = map.slots.size() - 1;
  for (size_t slot = internal::HashKey(probe) & mask;; slot = (slot + 1) & mask) {
    uint32_t index = map.slots[slot];
    if (index == 0) return nullptr;
    const MapEntry& e = map.entries[index - 1];
    if (KeyEquals(e.first, probe)) return &e.second;
  }
}

// A double probe finds an int or uint key only when it is integral.
bool NormalizeDoubleKey(double d, Value* out) {
  if (!(d == std::trunc(d))) return false;
  if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
    *out = Value::Int(static_cast<int64_t>(d));
    return true;
  }
  if (d >= 0 && d < 18446744073709551616.0) {
    *out = Value::Uint(static_cast<uint64_t>(d));
    return true;
  }
  return false;
}

bool IsValidKeyKind(Kind k) {
  return k == Kind::kString || k == Kind::kBool || k == Kind::kInt || k == Kind::kUint;
}

}  // namespace

Value Value::String(std::string_view s) { return MakeStringLike(Kind::kString, s); }
Value Value::Bytes(std::string_view b) { return MakeStringLike(Kind::kBytes, b); }

Value Value::List(std::vector<Value> items) {
  auto* object = new ListObject();
  object->items = std::move(items);
  return ValueAccess::FromHeap(Kind::kList, object);
}

Value Value::OptionalOf(Value value) {
  auto* object = new ListObject();
  object->items.push_back(std::move(value));
  return ValueAccess::FromHeap(Kind::kOptional, object);
}

Value Value::OptionalNone() {
  static const Value none = ValueAccess::FromHeap(Kind::kOptional, new ListObject());
  return none;
}

Value MakeMap(std::vector<MapEntry> entries, std::string* error) {
  auto* object = new MapObject();
  object->entries.reserve(entries.size());
  for (MapEntry& e : entries) {
    if (FindKey(*object, e.first) != nullptr) {
      if (error) *error = "repeated map key " + e.first.DebugString();
      delete object;
      return Value();
    }
    object->entries.push_back(std::move(e));
    size_t n = object->entries.size();
    if (n < kIndexedMapSize) continue;
    if (n == kIndexedMapSize || n * 2 > object->slots.size()) {
      BuildIndex(object);
    } else {
      size_t mask = object->slots.size() - 1;
      size_t slot = internal::HashKey(object->entries.back().first) & mask;
      while (object->slots[slot] != 0) slot = (slot + 1) & mask;
      object->slots[slot] = static_cast<uint32_t>(n);
    }
  }
  return ValueAccess::FromHeap(Kind::kMap, object);
}

Value MakeMapOfUniqueKeys(std::vector<MapEntry> entries) {
  auto* object = new MapObject();
  object->entries = std::move(entries);
  if (object->entries.size() >= kIndexedMapSize) BuildIndex(object);
  return ValueAccess::FromHeap(Kind::kMap, object);
}

Result<Value> Value::Map(std::vector<MapEntry> entries) {
  for (const MapEntry& e : entries) {
    if (!IsValidKeyKind(e.first.kind())) {
      return Status::InvalidArgument("unsupported map key type " + std::string(KindName(e.first.kind())));
    }
  }
  std::string error;
  Value map = MakeMap(std::move(entries), &error);
  if (!error.empty()) return Status::InvalidArgument(error);
  return map;
}

Result<Value> Value::Timestamp(int64_t seconds, int32_t nanos) {
  if (nanos < 0 || nanos > 999999999 || seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return Status::InvalidArgument("timestamp out of range");
  }
  return ValueAccess::TimestampUnchecked(seconds, nanos);
}

Value Value::Error(ErrorCode code, std::string message) {
  auto* object = new ErrorObject();
  object->code = code;
  object->message = std::move(message);
  return ValueAccess::FromHeap(Kind::kError, object);
}

size_t Value::MapSize() const { return ValueAccess::Map(*this).entries.size(); }
std::span<const MapEntry> Value::MapEntries() const { return ValueAccess::Map(*this).entries; }

const Value* Value::MapFind(const Value& key) const {
  const MapObject& map = ValueAccess::Map(*this);
  if (key.kind() == Kind::kDouble) {
    Value normalized;
    if (!NormalizeDoubleKey(key.AsDouble(), &normalized)) return nullptr;
    return FindKey(map, normalized);
  }
  if (!IsValidKeyKind(key.kind())) return nullptr;
  return FindKey(map, key);
}

const Value* Value::MapFind(std::string_view key) const {
  const MapObject& map = ValueAccess::Map(*this);
  return internal::FindStringKey(map, key, map.slots.empty() ? 0 : internal::HashBytes(key));
}

ErrorCode Value::AsErrorCode() const { return static_cast<const ErrorObject*>(u_.p)->code; }
std::string_view Value::ErrorMessage() const { return static_cast<const ErrorObject*>(u_.p)->message; }
int32_t Value::ErrorOffset() const { return static_cast<const ErrorObject*>(u_.p)->offset; }

int CompareNumbers(const Value& a, const Value& b) {
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  auto double_vs_int = [&](double d, int64_t i) {
    if (std::isnan(d)) return 2;
    if (d < -9223372036854775808.0) return -1;
    if (d > 9223372036854775807.0) return 1;  // the double just above int64's range
    return three_way(d, static_cast<double>(i));
  };
  auto double_vs_uint = [&](double d, uint64_t u) {
    if (std::isnan(d)) return 2;
    if (d < 0) return -1;
    if (d > 18446744073709551615.0) return 1;
    return three_way(d, static_cast<double>(u));
  };
  auto int_vs_uint = [&](int64_t i, uint64_t u) {
    if (i < 0) return -1;
    return three_way(static_cast<uint64_t>(i), u);
  };
  auto flip = [](int c) { return c == 2 ? 2 : -c; };
  switch (a.kind()) {
    case Kind::kInt:
      switch (b.kind()) {
        case Kind::kInt: return three_way(a.AsInt(), b.AsInt());
        case Kind::kUint: return int_vs_uint(a.AsInt(), b.AsUint());
        default: return flip(double_vs_int(b.AsDouble(), a.AsInt()));
      }
    case Kind::kUint:
      switch (b.kind()) {
        case Kind::kInt: return flip(int_vs_uint(b.AsInt(), a.AsUint()));
        case Kind::kUint: return three_way(a.AsUint(), b.AsUint());
        default: return flip(double_vs_uint(b.AsDouble(), a.AsUint()));
      }
    default:
      switch (b.kind()) {
        case Kind::kInt: return double_vs_int(a.AsDouble(), b.AsInt());
        case Kind::kUint: return double_vs_uint(a.AsDouble(), b.AsUint());
        default:
          if (std::isnan(a.AsDouble()) || std::isnan(b.AsDouble())) return 2;
          return three_way(a.AsDouble(), b.AsDouble());
      }
  }
}

int CompareValues(const Value& a, const Value& b) {
  if (IsNumeric(a.kind()) && IsNumeric(b.kind())) return CompareNumbers(a, b);
  if (a.kind() != b.kind()) return 3;
  switch (a.kind()) {
    case Kind::kString:
    case Kind::kBytes: {
      int c = a.AsString().compare(b.AsString());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kBool:
      return a.AsBool() == b.AsBool() ? 0 : (a.AsBool() ? 1 : -1);
    case Kind::kTimestamp:
      if (a.TimestampSeconds() != b.TimestampSeconds()) return a.TimestampSeconds() < b.TimestampSeconds() ? -1 : 1;
      return a.TimestampNanos() == b.TimestampNanos() ? 0 : (a.TimestampNanos() < b.TimestampNanos() ? -1 : 1);
    case Kind::kDuration:
      return a.DurationNanos() == b.DurationNanos() ? 0 : (a.DurationNanos() < b.DurationNanos() ? -1 : 1);
    default:
      return 3;
  }
}

bool Value::Equals(const Value& other) const {
  if (IsNumeric(kind_) && IsNumeric(other.kind_)) return CompareNumbers(*this, other) == 0;
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kNull:
      return true;
    case Kind::kType:
      return aux_ == other.aux_;
    case Kind::kList: {
      auto a = ListItems(), b = other.ListItems();
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i].Equals(b[i])) return false;
      }
      return true;
    }
    case Kind::kMap: {
      if (MapSize() != other.MapSize()) return false;
      for (const MapEntry& e : MapEntries()) {
        const Value* v = other.MapFind(e.first);
        if (v == nullptr || !e.second.Equals(*v)) return false;
      }
      return true;
    }
    case Kind::kError:
      return false;
    case Kind::kOptional:
      if (OptionalHasValue() != other.OptionalHasValue()) return false;
      return !OptionalHasValue() || OptionalValue().Equals(other.OptionalValue());
    default:
      return CompareValues(*this, other) == 0;
  }
}

namespace {

void AppendQuoted(std::string* out, std::string_view s, bool bytes) {
  out->append(bytes ? "b\"" : "\"");
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendDebug(std::string* out, const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: out->append("null"); return;
    case Kind::kBool: out->append(v.AsBool() ? "true" : "false"); return;
    case Kind::kInt: out->append(std::to_string(v.AsInt())); return;
    case Kind::kUint: out->append(std::to_string(v.AsUint())).push_back('u'); return;
    case Kind::kDouble: {
      std::string d = FormatDouble(v.AsDouble());
      if (d.find_first_of(".eNI") == std::string::npos) d += ".0";
      out->append(d);
      return;
    }
    case Kind::kString: AppendQuoted(out, v.AsString(), false); return;
    case Kind::kBytes: AppendQuoted(out, v.AsString(), true); return;
    case Kind::kList: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : v.ListItems()) {
        if (!first) out->append(", ");
        first = false;
        AppendDebug(out, item);
      }
      out->push_back(']');
      return;
    }
    case Kind::kMap: {
      out->push_back('{');
      bool first = true;
      for (const MapEntry& e : v.MapEntries()) {
        if (!first) out->append(", ");
        first = false;
        AppendDebug(out, e.first);
        out->append(": ");
        AppendDebug(out, e.second);
      }
      out->push_back('}');
      return;
    }
    case Kind::kTimestamp:
      out->append("timestamp(\"").append(FormatTimestamp(v.TimestampSeconds(), v.TimestampNanos())).append("\")");
      return;
    case Kind::kDuration:
      out->append("duration(\"").append(FormatDuration(v.DurationNanos())).append("\")");
      return;
    case Kind::kType:
      out->append(KindName(v.AsType()));
      return;
    case Kind::kError:
      out->append("error(").append(v.ErrorMessage()).push_back(')');
      return;
    case Kind::kOptional:
      if (!v.OptionalHasValue()) {
        out->append("optional.none()");
        return;
      }
      out->append("optional.of(");
      AppendDebug(out, v.OptionalValue());
      out->push_back(')');
      return;
    case Kind::kDyn:
      return;
  }
}

}  // namespace

std::string Value::DebugString() const {
  std::string out;
  AppendDebug(&out, *this);
  return out;
}

size_t Utf8Length(std::string_view s) {
  // Counts the bytes that start a code point, eight at a time: a continuation
  // byte has its top bit set and the next one clear.
  auto starts = [](uint64_t w) {
    uint64_t continuation = (w & ~(w << 1) & 0x8080808080808080ull) >> 7;  // one bit per byte
    return 8 - static_cast<size_t>((continuation * 0x0101010101010101ull) >> 56);
  };
  const char* p = s.data();
  size_t n = s.size();
  if (n < 8) {
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) count += (static_cast<unsigned char>(p[i]) & 0xC0) != 0x80;
    return count;
  }
  size_t count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    count += starts(w);
  }
  if (size_t tail = n - i; tail > 0) {
    // The last eight bytes, with those already counted set to ASCII zeros.
    uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    w &= ~0ull << ((8 - tail) * 8);
    count += starts(w) - (8 - tail);
  }
  return count;
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  // Shortest digits, then Go's %g rule: exponent form below 1e-4 and from 1e21.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, end - buf);
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = std::stoi(std::string(sci.substr(e + 1)));
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 21) {
    out.push_back(digits[0]);
    if (digits.size() > 1) out.append(".").append(digits.substr(1));
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp;
  }
  if (exponent < 0) {
    out.append("0.").append(static_cast<size_t>(-exponent - 1), '0').append(digits);
    return out;
  }
  size_t int_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_digits) {
    out.append(digits).append(int_digits - digits.size(), '0');
  } else {
    out.append(digits.substr(0, int_digits)).append(".").append(digits.substr(int_digits));
  }
  return out;
}

}  // namespace keel::cel
