// keel's CEL (Common Expression Language): a documented subset, see README.md.
//
// Expressions are compiled once, when rules load, and evaluated many times:
//
//   KEEL_ASSIGN_OR_RETURN(cel::Program program, cel::Compile("entity.team == 'it'"));
//   cel::Activation activation;
//   activation.Bind("entity", cel::FromJson(entity_json));
//   KEEL_ASSIGN_OR_RETURN(cel::Value result, program.Evaluate(activation));
//
// Values are immutable; copies share their contents. Value, Program and a
// const Activation are safe for concurrent use without external synchronization.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/status.h"

namespace keel {
class PeopleDirectory;  // engine/expression.h
}  // namespace keel

namespace keel::cel {

// The kind of a value. kDyn appears only in declarations ("any kind").
enum class Kind : uint8_t {
  kNull,
  kBool,
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kList,
  kMap,
  kTimestamp,
  kDuration,
  kType,
  kOptional,  // cel-go's optional values: optional.of(x), optional.none()
  kError,
  kDyn,
};
inline constexpr int kKindCount = 15;

// CEL's name of the type: "int", "google.protobuf.Timestamp", "null_type", ...
std::string_view KindName(Kind kind);

// Why an evaluation failed. Errors are values inside an evaluation (CEL's
// `false && error` is false); one that reaches the result fails Evaluate.
enum class ErrorCode : uint8_t {
  kNoMatchingOverload,
  kNoSuchKey,
  kIndexOutOfRange,
  kDivisionByZero,
  kOverflow,       // int/uint arithmetic, conversions, timestamp and duration range
  kInvalidArgument,
  kUnbound,        // an undeclared variable or function (unchecked expressions only)
  kLimit,          // a list or string would grow beyond EvalOptions' limits
};

namespace internal {
// Shared, immutable payload of strings, bytes, lists, maps and errors.
struct HeapObject {
  mutable std::atomic<int32_t> refs{1};
};
void DestroyHeapObject(Kind kind, const HeapObject* object);
// A string's or bytes' size; the bytes follow the object.
struct StringObject : HeapObject {
  size_t size = 0;
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  char* data() { return reinterpret_cast<char*>(this + 1); }
};
struct ListObject;
struct MapObject;
}  // namespace internal

class Value;
using MapEntry = std::pair<Value, Value>;

// A CEL value: null, bool, int (int64), uint (uint64), double, string (UTF-8),
// bytes, list, map, timestamp, duration, type, or an evaluation error.
// 16 bytes; scalars are stored inline, the rest is shared and reference counted.
class Value {
 public:
  Value() noexcept : kind_(Kind::kNull) { u_.i = 0; }
  Value(const Value& other) noexcept : kind_(other.kind_), aux_(other.aux_), u_(other.u_) { Ref(); }
  Value(Value&& other) noexcept : kind_(other.kind_), aux_(other.aux_), u_(other.u_) {
    other.kind_ = Kind::kNull;
  }
  Value& operator=(const Value& other) noexcept {
    if (this != &other) {
      other.Ref();
      Unref();
      kind_ = other.kind_;
      aux_ = other.aux_;
      u_ = other.u_;
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Unref();
      kind_ = other.kind_;
      aux_ = other.aux_;
      u_ = other.u_;
      other.kind_ = Kind::kNull;
    }
    return *this;
  }
  ~Value() { Unref(); }

  static Value Null() { return Value(); }
  static Value Bool(bool b) { Value v(Kind::kBool); v.u_.b = b; return v; }
  static Value Int(int64_t i) { Value v(Kind::kInt); v.u_.i = i; return v; }
  static Value Uint(uint64_t u) { Value v(Kind::kUint); v.u_.u = u; return v; }
  static Value Double(double d) { Value v(Kind::kDouble); v.u_.d = d; return v; }
  static Value String(std::string_view s);  // REQUIRES: valid UTF-8
  static Value Bytes(std::string_view b);
  static Value List(std::vector<Value> items);
  // Fails on a repeated key (1 and 1u are the same key) or a key that is not
  // bool, int, uint or string.
  static Result<Value> Map(std::vector<MapEntry> entries);
  // Seconds and nanoseconds since the Unix epoch, 0001-01-01 to 9999-12-31 UTC.
  static Result<Value> Timestamp(int64_t seconds, int32_t nanos = 0);
  static Value Duration(int64_t nanos) { Value v(Kind::kDuration); v.u_.i = nanos; return v; }
  // The type value for `kind`: what `type(x)` returns and `int`, `string` denote.
  static Value Type(Kind kind) { Value v(Kind::kType); v.aux_ = static_cast<int32_t>(kind); return v; }
  static Value Error(ErrorCode code, std::string message);
  // An optional value holding `value`, and one holding nothing.
  static Value OptionalOf(Value value);
  static Value OptionalNone();

  Kind kind() const { return kind_; }
  bool IsError() const { return kind_ == Kind::kError; }
  bool IsNull() const { return kind_ == Kind::kNull; }

  // Accessors. REQUIRES: the matching kind.
  bool AsBool() const { return u_.b; }
  int64_t AsInt() const { return u_.i; }
  uint64_t AsUint() const { return u_.u; }
  double AsDouble() const { return u_.d; }
  std::string_view AsString() const {  // strings and bytes
    auto* s = static_cast<const internal::StringObject*>(u_.p);
    return {s->data(), s->size};
  }
  int64_t TimestampSeconds() const { return u_.i; }
  int32_t TimestampNanos() const { return aux_; }
  int64_t DurationNanos() const { return u_.i; }
  Kind AsType() const { return static_cast<Kind>(aux_); }
  // For optional values: whether there is a value, and the value.
  bool OptionalHasValue() const;
  const Value& OptionalValue() const;  // REQUIRES: OptionalHasValue()
  std::span<const Value> ListItems() const;
  size_t MapSize() const;
  std::span<const MapEntry> MapEntries() const;  // in insertion order
  // The value under `key`, or nullptr. Numeric keys match across int, uint and
  // integral doubles, as CEL's equality does.
  const Value* MapFind(const Value& key) const;
  const Value* MapFind(std::string_view key) const;
  ErrorCode AsErrorCode() const;
  std::string_view ErrorMessage() const;
  // Where the error arose: byte offset in the expression, or -1.
  int32_t ErrorOffset() const;

  // CEL equality: numbers compare across int, uint and double; values of other
  // different kinds are unequal; NaN equals nothing. REQUIRES: neither is an error.
  bool Equals(const Value& other) const;
  // A CEL-like rendering for messages and tests: 1, 2u, "a", b"\x00", [1, 2], {"k": 1}.
  std::string DebugString() const;

 private:
  friend struct ValueAccess;
  explicit Value(Kind kind) : kind_(kind) { u_.i = 0; }
  static bool IsHeapKind(Kind kind) {
    return kind == Kind::kString || kind == Kind::kBytes || kind == Kind::kList ||
           kind == Kind::kMap || kind == Kind::kError || kind == Kind::kOptional;
  }
  void Ref() const {
    if (IsHeapKind(kind_)) u_.p->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void Unref() {
    if (IsHeapKind(kind_) && u_.p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      internal::DestroyHeapObject(kind_, u_.p);
    }
  }

  Kind kind_;
  int32_t aux_ = 0;  // timestamp nanoseconds; the kind a type value denotes
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double d;
    const internal::HeapObject* p;
  } u_;
};

namespace internal {
struct ListObject : HeapObject {
  std::vector<Value> items;
};
}  // namespace internal

inline std::span<const Value> Value::ListItems() const {
  return static_cast<const internal::ListObject*>(u_.p)->items;
}
// An optional value is stored as a list of none or one element.
inline bool Value::OptionalHasValue() const {
  return !static_cast<const internal::ListObject*>(u_.p)->items.empty();
}
inline const Value& Value::OptionalValue() const { return static_cast<const internal::ListObject*>(u_.p)->items[0]; }

// 1-based line and column (in characters) inside an expression.
struct SourcePosition {
  int line = 1;
  int column = 1;
};

// A compile or evaluation error with the place in the expression it refers to.
struct Diagnostic {
  SourcePosition position;
  std::string message;
};

// Where an expression sits in a file, to point at errors in the file itself.
struct ExpressionOrigin {
  int line = 1;    // of the expression's first character in the file
  int column = 1;
  // For expressions spanning lines (YAML block scalars): the columns that
  // precede the expression's text on each following line.
  int continuation_indent = 0;
};

// "file:line:col: message\n<the line>\n<spaces>^": the position is translated
// into the file with `origin`. The line shown is taken from `file_text` when
// given, else from `expression`.
std::string FormatDiagnostic(std::string_view file_name, const ExpressionOrigin& origin,
                             std::string_view expression, const Diagnostic& diagnostic,
                             std::string_view file_text = {});

// A variable an expression may use; `type` kDyn means any kind.
struct VariableDecl {
  std::string name;
  Kind type = Kind::kDyn;
};

struct CompileOptions {
  // The variables rules see (DESIGN.md).
  std::vector<VariableDecl> variables = {
      {"event", Kind::kMap}, {"entity", Kind::kDyn}, {"before", Kind::kDyn},
      {"parent", Kind::kDyn}, {"workspace", Kind::kDyn}};
  // has, all, exists, exists_one, map, filter.
  bool enable_macros = true;
  // When false, the light type check is skipped, and undeclared variables and
  // functions are looked up at evaluation and fail there (CEL's unchecked mode,
  // used by the conformance suite). Rules always compile checked.
  bool type_check = true;
  size_t max_expression_bytes = 64 * 1024;
  // Depth of the expression tree (operators, calls, parentheses nested in
  // each other); bounds the stack that parsing and evaluation use.
  int max_nesting = 250;
};

// Binds variables when an evaluation first reads them, for a host whose
// variables cost a lookup to compute (keel's entity states): an expression
// that never reaches one, `false && entity.done` say, costs none.
class Activation;
class LateBinder {
 public:
  virtual ~LateBinder() = default;
  // Called when an evaluation reads `name` and the activation has no value
  // for it. Binds it (Activation::Bind) or leaves it unbound; a failure to
  // compute it is the binder's to keep and report after the evaluation,
  // which reads the variable as unbound meanwhile.
  virtual void BindOnFirstRead(std::string_view name) = 0;
};

// Variables for one evaluation, plus what the triggering event provides.
// Bind again to reuse it for the next event.
class BusinessCalendar;
class EntitySource;
class Activation {
 public:
  Activation() = default;
  // Binds `name` to `value`, replacing an earlier binding. Values bound
  // earlier stay where they are: a late binder may bind in the middle of an
  // evaluation that holds them.
  void Bind(std::string_view name, Value value);
  // Takes `name`'s value away (Find returns nullptr) until it is bound again.
  void Unbind(std::string_view name);
  const Value* Find(std::string_view name) const;
  void Clear() { bindings_.clear(); }

  // Who binds the variables read while unbound; nullptr: nobody, they are
  // errors. Not owned; must outlive evaluations.
  void SetLateBinder(LateBinder* binder) { late_binder_ = binder; }
  // Find, after asking the late binder to bind `name` when it is unbound.
  const Value* FindOrBindLate(std::string_view name) const;

  // What now() returns: the triggering event's time, never the wall clock.
  // REQUIRES: a timestamp value.
  void SetNow(Value timestamp) { now_ = std::move(timestamp); }
  const Value& now() const { return now_; }

  // Business days for add_business_days() and friends; nullptr means Monday
  // to Friday in UTC. Not owned; must outlive evaluations.
  void SetCalendar(const BusinessCalendar* calendar) { calendar_ = calendar; }
  const BusinessCalendar* calendar() const { return calendar_; }

  // The entities lookup() and entities() read; nullptr makes them errors.
  // Not owned; must outlive evaluations.
  void SetEntitySource(const EntitySource* source) { entity_source_ = source; }
  const EntitySource* entity_source() const { return entity_source_; }

  // Whose identities person() resolves (a workspace's people file); nullptr:
  // nobody's, person() gives "TOOL:IDENTITY". Not owned; must outlive evaluations.
  void SetPeople(const PeopleDirectory* people) { people_ = people; }
  const PeopleDirectory* people() const { return people_; }

 private:
  struct Binding {
    std::string name;
    Value value;
    bool bound = true;
  };
  // A deque: binding a new name keeps the others' addresses.
  std::deque<Binding> bindings_;
  LateBinder* late_binder_ = nullptr;
  Value now_;
  const BusinessCalendar* calendar_ = nullptr;
  const EntitySource* entity_source_ = nullptr;
  const PeopleDirectory* people_ = nullptr;
};

// A civil date: year, month 1-12, day 1-31.
struct CivilDay {
  int year = 1970;
  int month = 1;
  int day = 1;
};

// Which days count as business days. The default is Monday to Friday in UTC;
// a per-workspace holiday calendar (the timers issue) overrides both methods.
// Implementations must be safe for concurrent use.
class BusinessCalendar {
 public:
  virtual ~BusinessCalendar() = default;
  // `weekday`: 0 = Sunday ... 6 = Saturday.
  virtual bool IsBusinessDay(const CivilDay& day, int weekday) const;
  // The time zone business days are counted in, unless an expression names one.
  virtual std::string_view TimeZone() const { return "UTC"; }
};

// Entities an expression may read beyond its variables, through lookup(ref)
// and entities(kind[, where]) (functions_entities.cc). The host decides what
// is reachable: keel's rules see the triggering event's workspace as the
// batch in hand sees it, so a replay reads exactly what the first run read.
class EntitySource {
 public:
  virtual ~EntitySource() = default;
  // The state of entity `kind`/`id` as a map; null when it has none.
  // InvalidArgument for a kind that is not an entity kind.
  virtual Result<Value> Lookup(std::string_view kind, std::string_view id) const = 0;
  // Visits, in id order, the state of every entity of `kind` that is not
  // archived and whose fields equal `where`'s values (CEL equality; a missing
  // field matches nothing). Returns how many entities it read, for the cost.
  virtual Result<int64_t> ForEach(std::string_view kind, std::span<const MapEntry> where,
                                  const std::function<void(Value state)>& visit) const = 0;
};

struct EvalOptions {
  // Each evaluation may take this many steps: per comprehension iteration (times
  // the size of its body), per list element `in` or `==` visits, per 64 bytes
  // string functions handle, per day the business-day functions step over.
  int64_t max_cost = 100000;
  size_t max_list_size = 100000;        // elements of a list the expression builds
  size_t max_string_size = 1024 * 1024;  // bytes of a string the expression builds
};

// A conjunct an expression cannot be true without: `PATH == CONSTANT` (either
// way round) among its top-level `&&` operands, where PATH selects fields
// from a variable (event.data.to, entity.team) and CONSTANT is a string,
// bool, int, uint or double. When PATH resolves to a value unequal to
// CONSTANT, the expression is false whatever else it says (CEL's `false &&
// x` is false even when x is an error), so rules can be indexed by it.
struct EqualityGuard {
  std::vector<std::string> path;  // {"event", "data", "to"}
  Value value;
};

// What an expression reads of its variables, as paths from a variable
// ({"body", "issue", "fields"}), for a host that binds only part of a large
// value. `whole`: paths whose values are used entire. `tested`: paths only
// tested for presence or null (has(a.b), a.b != null). `value_paths`: when
// the expression's value is always one of these paths' values or a constant
// (`a != null ? a.b : {}`), those paths, which are then in neither list;
// nullopt when the value is computed, and what it is computed from is in
// `whole`. A comprehension's variable may appear as a path too: a host only
// looks for its own variables.
struct ReadPaths {
  std::vector<std::vector<std::string>> whole;
  std::vector<std::vector<std::string>> tested;
  std::optional<std::vector<std::vector<std::string>>> value_paths;
};

// A compiled expression. Cheap to copy; evaluation never re-parses.
class Program {
 public:
  // The result, or an error naming where in the expression it arose
  // ("1:12: division by zero"); `diagnostic` receives the structured form.
  // Exceeding EvalOptions' limits is a ResourceExhausted error.
  Result<Value> Evaluate(const Activation& activation, const EvalOptions& options = {},
                         Diagnostic* diagnostic = nullptr) const;
  std::string_view source() const;
  // The expression's equality guards, in source order.
  std::span<const EqualityGuard> guards() const;
  // Whether the expression reads the variable `name`.
  bool UsesVariable(std::string_view name) const;
  // The members of variable `name` the expression selects by name
  // (`event.id`, `has(event.data)`), sorted: all it can read of the variable,
  // so a host may bind a map of only those. Nullopt when it reads the
  // variable any other way (whole, indexed, compared), which needs all of it.
  std::optional<std::span<const std::string>> SelectedMembers(std::string_view name) const;
  // The field paths it reads ("event.data.to", "entity.team"), longest
  // selections only, in source order without repeats: what `keel explain`
  // shows the values of.
  std::span<const std::string> field_paths() const;
  const ReadPaths& reads() const;

  struct Impl;  // program.cc
  explicit Program(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}  // for Compile()

 private:
  std::shared_ptr<const Impl> impl_;
};

// Parses and checks `expression`. Errors (syntax, undeclared names, calls no
// overload accepts) are InvalidArgument "line:col: message"; `diagnostic`
// receives the structured form.
Result<Program> Compile(std::string_view expression, const CompileOptions& options = {},
                        Diagnostic* diagnostic = nullptr);

// JSON null, bool, string, array and object map to CEL null, bool, string,
// list and map (string keys); integers to int (uint above int64's range),
// other numbers to double.
Value FromJson(const nlohmann::json& json);
// The same from JSON text, parsed with simdjson: the reactor binds events
// and their members this way, several times faster than going through
// nlohmann::json. A string literal with nothing to unescape skips the parser.
// InvalidArgument for text that is not JSON or has a repeated object key.
// `replace_key`, when given, names a member of the top-level object whose
// value is `replacement` instead (the reactor's event `time`, a timestamp).
Result<Value> FromJsonText(std::string_view text, std::string_view replace_key = {},
                           const Value* replacement = nullptr);
// The reverse, for template results: uint and int as numbers, timestamps as
// RFC 3339 strings, durations as "90s", bytes as base64, types by name, map
// keys as their string form, non-finite doubles as "NaN"/"Infinity". An error
// value (which Evaluate never returns) becomes null.
nlohmann::json ToJson(const Value& value);

}  // namespace keel::cel
