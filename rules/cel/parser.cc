#include "rules/cel/parser.h"

#include <algorithm>
#include <vector>

#include "rules/cel/lexer.h"

namespace keel::cel {
namespace {

// Recursive descent over the token list. Each Parse* returns nullptr after
// recording the first error.
class Parser {
 public:
  Parser(std::string_view source, const ParseOptions& options) : source_(source), options_(options) {}

  Result<ExprPtr> Run(int32_t* error_offset) {
    Lexer lexer(source_);
    while (true) {
      tokens_.push_back(lexer.Next());
      if (tokens_.back().kind == TokenKind::kError) {
        *error_offset = tokens_.back().offset;
        return Status::InvalidArgument(tokens_.back().text);
      }
      if (tokens_.back().kind == TokenKind::kEnd) break;
    }
    ExprPtr expr = ParseExpr();
    if (expr && Peek().kind != TokenKind::kEnd) Fail(Peek().offset, "unexpected " + Describe(Peek()));
    if (!error_.empty()) {
      *error_offset = error_offset_;
      return Status::InvalidArgument(error_);
    }
    return expr;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Advance() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool Accept(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Advance();
    return true;
  }
  std::nullptr_t Fail(int32_t offset, std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_offset_ = offset;
    }
    return nullptr;
  }
  bool Expect(TokenKind kind, const char* what) {
    if (Accept(kind)) return true;
    Fail(Peek().offset, std::string("expected ") + what + ", found " + Describe(Peek()));
    return false;
  }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd: return "end of expression";
      case TokenKind::kIdent: return "'" + t.text + "'";
      case TokenKind::kInt:
      case TokenKind::kUint:
      case TokenKind::kDouble: return "number";
      case TokenKind::kString: return "string";
      case TokenKind::kBytes: return "bytes";
      default: return "token";
    }
  }

  // Guards recursion so deeply nested input is an error, not a crash.
  struct Depth {
    explicit Depth(Parser* p) : p(p) { ++p->depth_; }
    ~Depth() { --p->depth_; }
    bool Exceeded() const { return p->depth_ > p->options_.max_nesting; }
    Parser* p;
  };

  ExprPtr NewExpr(ExprKind kind, int32_t offset) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->offset = offset;
    return e;
  }
  ExprPtr Call(std::string name, int32_t offset, std::vector<ExprPtr> args, ExprPtr receiver = nullptr) {
    ExprPtr e = NewExpr(ExprKind::kCall, offset);
    e->name = std::move(name);
    e->args = std::move(args);
    e->operand = std::move(receiver);
    return e;
  }
  ExprPtr Binary(const char* name, int32_t offset, ExprPtr a, ExprPtr b) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    return Call(name, offset, std::move(args));
  }

  ExprPtr ParseExpr() {
    Depth depth(this);
    if (depth.Exceeded()) return Fail(Peek().offset, "expression nested too deeply");
    ExprPtr cond = ParseOr();
    if (!cond) return nullptr;
    if (Peek().kind != TokenKind::kQuestion) return cond;
    int32_t offset = Advance().offset;
    ExprPtr yes = ParseOr();
    if (!yes || !Expect(TokenKind::kColon, "':'")) return nullptr;
    ExprPtr no = ParseExpr();
    if (!no) return nullptr;
    std::vector<ExprPtr> args;
    args.push_back(std::move(cond));
    args.push_back(std::move(yes));
    args.push_back(std::move(no));
    return Call(op::kConditional, offset, std::move(args));
  }

  // Operator chains and member chains deepen the tree without recursing here.
  bool ChainTooDeep(int* length) { return depth_ + ++*length > options_.max_nesting; }
  std::nullptr_t TooDeep() { return Fail(Peek().offset, "expression nested too deeply"); }

  ExprPtr ParseOr() {
    ExprPtr left = ParseAnd();
    int chain = 0;
    while (left && Peek().kind == TokenKind::kOr) {
      if (ChainTooDeep(&chain)) return TooDeep();
      int32_t offset = Advance().offset;
      ExprPtr right = ParseAnd();
      if (!right) return nullptr;
      left = Binary(op::kOr, offset, std::move(left), std::move(right));
    }
    return left;
  }

  ExprPtr ParseAnd() {
    ExprPtr left = ParseRelation();
    int chain = 0;
    while (left && Peek().kind == TokenKind::kAnd) {
      if (ChainTooDeep(&chain)) return TooDeep();
      int32_t offset = Advance().offset;
      ExprPtr right = ParseRelation();
      if (!right) return nullptr;
      left = Binary(op::kAnd, offset, std::move(left), std::move(right));
    }
    return left;
  }

  static const char* RelationName(TokenKind kind) {
    switch (kind) {
      case TokenKind::kEq: return op::kEquals;
      case TokenKind::kNe: return op::kNotEquals;
      case TokenKind::kLt: return op::kLess;
      case TokenKind::kLe: return op::kLessEquals;
      case TokenKind::kGt: return op::kGreater;
      case TokenKind::kGe: return op::kGreaterEquals;
      case TokenKind::kIn: return op::kIn;
      default: return nullptr;
    }
  }

  ExprPtr ParseRelation() {
    ExprPtr left = ParseAddition();
    int chain = 0;
    while (left && RelationName(Peek().kind) != nullptr) {
      if (ChainTooDeep(&chain)) return TooDeep();
      const char* name = RelationName(Peek().kind);
      int32_t offset = Advance().offset;
      ExprPtr right = ParseAddition();
      if (!right) return nullptr;
      left = Binary(name, offset, std::move(left), std::move(right));
    }
    return left;
  }

  ExprPtr ParseAddition() {
    ExprPtr left = ParseMultiplication();
    int chain = 0;
    while (left && (Peek().kind == TokenKind::kPlus || Peek().kind == TokenKind::kMinus)) {
      if (ChainTooDeep(&chain)) return TooDeep();
      const char* name = Peek().kind == TokenKind::kPlus ? op::kAdd : op::kSubtract;
      int32_t offset = Advance().offset;
      ExprPtr right = ParseMultiplication();
      if (!right) return nullptr;
      left = Binary(name, offset, std::move(left), std::move(right));
    }
    return left;
  }

  ExprPtr ParseMultiplication() {
    ExprPtr left = ParseUnary();
    int chain = 0;
    while (left && (Peek().kind == TokenKind::kStar || Peek().kind == TokenKind::kSlash ||
                    Peek().kind == TokenKind::kPercent)) {
      if (ChainTooDeep(&chain)) return TooDeep();
      const char* name = Peek().kind == TokenKind::kStar ? op::kMultiply
                         : Peek().kind == TokenKind::kSlash ? op::kDivide
                                                            : op::kModulo;
      int32_t offset = Advance().offset;
      ExprPtr right = ParseUnary();
      if (!right) return nullptr;
      left = Binary(name, offset, std::move(left), std::move(right));
    }
    return left;
  }

  ExprPtr ParseUnary() {
    TokenKind kind = Peek().kind;
    if (kind != TokenKind::kNot && kind != TokenKind::kMinus) return ParseMember();
    std::vector<int32_t> offsets;
    int chain = 0;
    while (Peek().kind == kind) {
      if (ChainTooDeep(&chain)) return TooDeep();
      offsets.push_back(Advance().offset);
    }
    ExprPtr operand;
    if (kind == TokenKind::kMinus &&
        (Peek().kind == TokenKind::kInt || Peek().kind == TokenKind::kDouble)) {
      // The sign belongs to the literal, so -9223372036854775808 is an int.
      operand = ParseMember(/*negate_literal=*/true);
      offsets.pop_back();
    } else {
      operand = ParseMember();
    }
    while (operand && !offsets.empty()) {
      std::vector<ExprPtr> args;
      args.push_back(std::move(operand));
      operand = Call(kind == TokenKind::kNot ? op::kNot : op::kNegate, offsets.back(), std::move(args));
      offsets.pop_back();
    }
    return operand;
  }

  ExprPtr ParseMember(bool negate_literal = false) {
    ExprPtr e = ParsePrimary(negate_literal);
    int chain = 0;
    while (e) {
      if ((Peek().kind == TokenKind::kDot || Peek().kind == TokenKind::kLBracket) && ChainTooDeep(&chain)) {
        return TooDeep();
      }
      if (Peek().kind == TokenKind::kDot) {
        Advance();
        if (Accept(TokenKind::kQuestion)) {
          const Token& field = Peek();
          if (field.kind != TokenKind::kIdent) return Fail(field.offset, "expected a field name after '.?'");
          Advance();
          ExprPtr select = NewExpr(ExprKind::kSelect, field.offset);
          select->name = field.text;
          select->optional = true;
          select->operand = std::move(e);
          e = std::move(select);
          continue;
        }
        const Token& name = Peek();
        if (name.kind != TokenKind::kIdent) return Fail(name.offset, "expected a field or method name after '.'");
        Advance();
        if (Peek().kind == TokenKind::kLParen) {
          Advance();
          std::vector<ExprPtr> args;
          if (!ParseArgs(TokenKind::kRParen, "')'", &args)) return nullptr;
          e = MemberCall(std::move(e), name.text, name.offset, std::move(args));
        } else {
          ExprPtr select = NewExpr(ExprKind::kSelect, name.offset);
          select->name = name.text;
          select->operand = std::move(e);
          e = std::move(select);
        }
      } else if (Peek().kind == TokenKind::kLBracket) {
        int32_t offset = Advance().offset;
        bool optional = Accept(TokenKind::kQuestion);
        ExprPtr index = ParseExpr();
        if (!index || !Expect(TokenKind::kRBracket, "']'")) return nullptr;
        e = Binary(optional ? op::kOptionalIndex : op::kIndex, offset, std::move(e), std::move(index));
      } else if (Peek().kind == TokenKind::kLBrace && IsQualifiedName(*e)) {
        e = ParseStruct(std::move(e));
      } else {
        break;
      }
    }
    return e;
  }

  static bool IsQualifiedName(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return true;
    return e.kind == ExprKind::kSelect && !e.test_only && IsQualifiedName(*e.operand);
  }
  static std::string QualifiedName(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return e.name;
    return QualifiedName(*e.operand) + "." + e.name;
  }

  ExprPtr ParseStruct(ExprPtr type_name) {
    ExprPtr e = NewExpr(ExprKind::kStruct, Advance().offset);
    e->name = QualifiedName(*type_name);
    while (Peek().kind != TokenKind::kRBrace) {
      const Token& field = Peek();
      if (field.kind != TokenKind::kIdent) return Fail(field.offset, "expected a field name");
      Advance();
      if (!Expect(TokenKind::kColon, "':'")) return nullptr;
      ExprPtr value = ParseExpr();
      if (!value) return nullptr;
      ExprPtr key = NewExpr(ExprKind::kConst, field.offset);
      key->constant = Value::String(field.text);
      e->entries.emplace_back(std::move(key), std::move(value));
      if (!Accept(TokenKind::kComma)) break;
    }
    if (!Expect(TokenKind::kRBrace, "'}'")) return nullptr;
    return e;
  }

  // Arguments up to `close`; a trailing comma is allowed in lists only.
  bool ParseArgs(TokenKind close, const char* close_name, std::vector<ExprPtr>* args,
                 bool trailing_comma = false) {
    if (Accept(close)) return true;
    while (true) {
      ExprPtr arg = ParseExpr();
      if (!arg) return false;
      args->push_back(std::move(arg));
      if (Accept(TokenKind::kComma)) {
        if (trailing_comma && Accept(close)) return true;
        continue;
      }
      return Expect(close, close_name);
    }
  }

  ExprPtr ParsePrimary(bool negate_literal) {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kInt: {
        Advance();
        uint64_t limit = negate_literal ? (1ull << 63) : (1ull << 63) - 1;
        if (t.int_value > limit) return Fail(t.offset, "integer literal out of range (use the u suffix for uint)");
        ExprPtr e = NewExpr(ExprKind::kConst, t.offset);
        e->constant = Value::Int(negate_literal ? static_cast<int64_t>(0 - t.int_value)
                                                : static_cast<int64_t>(t.int_value));
        return e;
      }
      case TokenKind::kUint:
        Advance();
        return Constant(t.offset, Value::Uint(t.int_value));
      case TokenKind::kDouble:
        Advance();
        return Constant(t.offset, Value::Double(negate_literal ? -t.double_value : t.double_value));
      case TokenKind::kString:
        Advance();
        return Constant(t.offset, Value::String(t.text));
      case TokenKind::kBytes:
        Advance();
        return Constant(t.offset, Value::Bytes(t.text));
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        Advance();
        return Constant(t.offset, Value::Bool(t.kind == TokenKind::kTrue));
      case TokenKind::kNull:
        Advance();
        return Constant(t.offset, Value::Null());
      case TokenKind::kLParen: {
        Advance();
        ExprPtr e = ParseExpr();
        if (!e || !Expect(TokenKind::kRParen, "')'")) return nullptr;
        return e;
      }
      case TokenKind::kLBracket:
        return ParseList();
      case TokenKind::kLBrace:
        return ParseMap();
      case TokenKind::kDot:
      case TokenKind::kIdent:
        return ParseIdentOrCall();
      default:
        return Fail(t.offset, "unexpected " + Describe(t));
    }
  }

  ExprPtr Constant(int32_t offset, Value v) {
    ExprPtr e = NewExpr(ExprKind::kConst, offset);
    e->constant = std::move(v);
    return e;
  }

  // `[a, ?b]`: an element written `?b` is there only when optional b has a value.
  ExprPtr ParseList() {
    ExprPtr e = NewExpr(ExprKind::kList, Advance().offset);
    std::vector<bool> optional;
    while (Peek().kind != TokenKind::kRBracket) {
      optional.push_back(Accept(TokenKind::kQuestion));
      ExprPtr item = ParseExpr();
      if (!item) return nullptr;
      e->args.push_back(std::move(item));
      if (!Accept(TokenKind::kComma)) break;
    }
    if (!Expect(TokenKind::kRBracket, "']'")) return nullptr;
    if (std::find(optional.begin(), optional.end(), true) != optional.end()) e->optional_items = std::move(optional);
    return e;
  }

  ExprPtr ParseMap() {
    ExprPtr e = NewExpr(ExprKind::kMap, Advance().offset);
    std::vector<bool> optional;
    while (Peek().kind != TokenKind::kRBrace) {
      optional.push_back(Accept(TokenKind::kQuestion));
      ExprPtr key = ParseExpr();
      if (!key || !Expect(TokenKind::kColon, "':'")) return nullptr;
      ExprPtr value = ParseExpr();
      if (!value) return nullptr;
      e->entries.emplace_back(std::move(key), std::move(value));
      if (!Accept(TokenKind::kComma)) break;
    }
    if (!Expect(TokenKind::kRBrace, "'}'")) return nullptr;
    if (std::find(optional.begin(), optional.end(), true) != optional.end()) e->optional_items = std::move(optional);
    return e;
  }

  ExprPtr ParseIdentOrCall() {
    bool leading_dot = Accept(TokenKind::kDot);
    const Token& name = Peek();
    if (name.kind != TokenKind::kIdent) return Fail(name.offset, "expected an identifier");
    Advance();
    if (IsReservedWord(name.text)) return Fail(name.offset, "'" + name.text + "' is a reserved word");
    std::string full = leading_dot ? "." + name.text : name.text;
    if (Peek().kind == TokenKind::kLParen) {
      Advance();
      std::vector<ExprPtr> args;
      if (!ParseArgs(TokenKind::kRParen, "')'", &args)) return nullptr;
      if (options_.enable_macros && full == "has" && args.size() == 1) {
        if (args[0]->kind != ExprKind::kSelect || args[0]->test_only) {
          return Fail(args[0]->offset, "has() needs a field selection, as in has(entity.team)");
        }
        args[0]->test_only = true;
        return std::move(args[0]);
      }
      return Call(full, name.offset, std::move(args));
    }
    ExprPtr e = NewExpr(ExprKind::kIdent, name.offset);
    e->name = full;
    return e;
  }

  // How many of a macro's arguments are variable names (0: not a macro).
  static int MacroFor(std::string_view name, size_t arg_count, MacroKind* kind) {
    if (arg_count == 3) {
      if (name == "all") { *kind = MacroKind::kAll; return 2; }
      if (name == "exists") { *kind = MacroKind::kExists; return 2; }
      if (name == "exists_one" || name == "existsOne") { *kind = MacroKind::kExistsOne; return 2; }
    }
    if (arg_count == 3 || arg_count == 4) {
      if (name == "transformList") { *kind = MacroKind::kTransformList; return 2; }
      if (name == "transformMap") { *kind = MacroKind::kTransformMap; return 2; }
      if (name == "transformMapEntry") { *kind = MacroKind::kTransformMapEntry; return 2; }
    }
    if (arg_count == 2) {
      if (name == "existsOne") { *kind = MacroKind::kExistsOne; return 1; }
      if (name == "sortBy") { *kind = MacroKind::kSortBy; return 1; }
      if (name == "optMap") { *kind = MacroKind::kOptMap; return 1; }
      if (name == "optFlatMap") { *kind = MacroKind::kOptFlatMap; return 1; }
    }
    if (arg_count == 2) {
      if (name == "all") { *kind = MacroKind::kAll; return 1; }
      if (name == "exists") { *kind = MacroKind::kExists; return 1; }
      if (name == "exists_one") { *kind = MacroKind::kExistsOne; return 1; }
      if (name == "map") { *kind = MacroKind::kMap; return 1; }
      if (name == "filter") { *kind = MacroKind::kFilter; return 1; }
    }
    if (arg_count == 3 && name == "map") {
      *kind = MacroKind::kMapFilter;
      return 1;
    }
    return 0;
  }

  static bool IsVariableName(const Expr& e) { return e.kind == ExprKind::kIdent && e.name.front() != '.'; }

  ExprPtr MemberCall(ExprPtr receiver, const std::string& name, int32_t offset, std::vector<ExprPtr> args) {
    MacroKind macro;
    if (!options_.enable_macros) return Call(name, offset, std::move(args), std::move(receiver));
    if (name == "bind" && args.size() == 3 && receiver->kind == ExprKind::kIdent && receiver->name == "cel") {
      if (!IsVariableName(*args[0])) return Fail(args[0]->offset, "cel.bind() needs a variable name as its first argument");
      ExprPtr e = NewExpr(ExprKind::kComprehension, offset);
      e->macro = MacroKind::kBind;
      e->name = "cel.bind";
      e->iter_var = args[0]->name;
      e->operand = std::move(args[1]);
      e->args.push_back(std::move(args[2]));
      return e;
    }
    if (int variables = MacroFor(name, args.size(), &macro); variables > 0) {
      for (int i = 0; i < variables; ++i) {
        if (!IsVariableName(*args[i])) {
          return Fail(args[i]->offset, name + "() needs a variable name as its " + (i == 0 ? "first" : "second") +
                                           " argument");
        }
      }
      ExprPtr e = NewExpr(ExprKind::kComprehension, offset);
      e->macro = macro;
      e->name = name;
      e->iter_var = args[0]->name;
      if (variables == 2) {
        e->iter_var2 = args[1]->name;
        if (e->iter_var2 == e->iter_var) {
          return Fail(args[1]->offset, name + "(): the two variables must have different names");
        }
      }
      e->operand = std::move(receiver);
      for (size_t i = variables; i < args.size(); ++i) e->args.push_back(std::move(args[i]));
      return e;
    }
    return Call(name, offset, std::move(args), std::move(receiver));
  }

  std::string_view source_;
  ParseOptions options_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
  int32_t error_offset_ = 0;
};

}  // namespace

Result<ExprPtr> Parse(std::string_view source, const ParseOptions& options, int32_t* error_offset) {
  Parser parser(source, options);
  return parser.Run(error_offset);
}

SourcePosition PositionOf(std::string_view source, int32_t offset) {
  SourcePosition pos;
  size_t end = std::min(static_cast<size_t>(std::max<int32_t>(offset, 0)), source.size());
  for (size_t i = 0; i < end; ++i) {
    unsigned char c = source[i];
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos.column;
    }
  }
  return pos;
}

}  // namespace keel::cel
