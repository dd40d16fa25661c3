#include "engine/schema/json_number_error.h"

#include <vector>

#include <nlohmann/json.hpp>

namespace keel {
namespace {

// nlohmann's out_of_range id for "number overflow parsing '1e400'".
constexpr int kNumberOverflow = 406;

// Walks the text with nlohmann's SAX parser (no DOM, no exceptions thrown),
// keeping the path to the value being read, and stops at the first number
// simdjson would refuse.
class NumberLocator : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<std::string> found;

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t& token) override {
    // nlohmann falls back to a double for integers beyond 64 bits; simdjson
    // refuses them.
    if (token.find_first_of(".eE") == std::string::npos) {
      found = At() + "number " + token +
              " is out of range: an integer must lie between -9223372036854775808 and 18446744073709551615";
      return false;
    }
    return Value();
  }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override { return Open(false); }
  bool key(string_t& name) override {
    frames_.back().key = name;
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(true); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string& token, const nlohmann::detail::exception& error) override {
    if (error.id == kNumberOverflow) {
      found = At() + "number " + token + " is out of range: a number's magnitude must be below 1.8e308 (a double)";
    } else if (!token.empty() && (token[0] == '-' || (token[0] >= '0' && token[0] <= '9'))) {
      // The token ends with the character that broke it; show the number's part.
      found = At() + "'" + token.substr(0, token.find_first_not_of("0123456789+-.eE")) + "' is not a valid JSON number";
    }
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    size_t next_index = 0;  // arrays: the index of the next element
    std::string key;        // objects: the key of the member being read
  };

  // "data.items[2]: ", the path of the value about to be read.
  std::string At() const {
    std::string path;
    for (const Frame& frame : frames_) {
      if (frame.array) {
        path += "[" + std::to_string(frame.next_index) + "]";
      } else {
        if (!path.empty()) path += '.';
        path += frame.key;
      }
    }
    return (path.empty() ? "top level" : path) + ": ";
  }

  bool Value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().next_index;
    return true;
  }
  bool Open(bool array) {
    frames_.push_back({array, 0, {}});
    return true;
  }
  bool Close() {
    frames_.pop_back();
    return Value();  // the container was a value of its parent
  }

  std::vector<Frame> frames_;
};

}  // namespace

std::optional<std::string> DescribeNumberError(std::string_view json) {
  NumberLocator locator;
  nlohmann::json::sax_parse(json.begin(), json.end(), &locator);
  return locator.found;
}

}  // namespace keel
