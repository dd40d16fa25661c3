// cel-go's encoders extension: base64.encode(bytes) and base64.decode(string),
// standard alphabet; decoding accepts text with or without its '=' padding.
#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {

using Args = const Value* const*;

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Value Decode(Args a, EvalContext& ctx) {
  std::string_view text = a[0]->AsString();
  if (!ctx.Charge(StringCost(text.size()))) return ctx.Stopped();
  size_t padding = 0;
  while (padding < 2 && text.size() > padding && text[text.size() - 1 - padding] == '=') ++padding;
  std::string_view digits = text.substr(0, text.size() - padding);
  bool bad_length = digits.size() % 4 == 1 || (padding > 0 && (digits.size() + padding) % 4 != 0);
  std::string out;
  out.reserve(digits.size() / 4 * 3 + 2);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < digits.size() && !bad_length; ++i) {
    int d = Base64Digit(digits[i]);
    if (d < 0) {
      return Value::Error(ErrorCode::kInvalidArgument,
                          "base64.decode: illegal base64 data at input byte " + std::to_string(i));
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (bad_length) {
    return Value::Error(ErrorCode::kInvalidArgument, "base64.decode: illegal base64 data (length " +
                                                         std::to_string(text.size()) + ")");
  }
  return Value::Bytes(out);
}

Value Encode(Args a, EvalContext& ctx) {
  std::string_view bytes = a[0]->AsString();
  if (!ctx.AllowString((bytes.size() + 2) / 3 * 4) || !ctx.Charge(StringCost(bytes.size() * 4 / 3))) {
    return ctx.Stopped();
  }
  return Value::String(Base64Encode(bytes));
}

}  // namespace

void RegisterEncoderFunctions(FunctionRegistry& r) {
  r.Add("base64.encode", false, {Kind::kBytes}, Kind::kString, Encode);
  r.Add("base64.decode", false, {Kind::kString}, Kind::kBytes, Decode);
}

}  // namespace keel::cel
