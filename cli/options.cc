#include "cli/options.h"

#include <charconv>

namespace keel::cli {

CLI::Validator WholeNumber(const std::string& what, uint64_t min, uint64_t max) {
  std::string range = max == UINT64_MAX ? std::to_string(min) + " or more"
                                        : "from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [what, min, max, range](const std::string& text) -> std::string {
        uint64_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
          return what + " is a whole number " + range + "; got '" + text + "'";
        }
        if (error == std::errc::result_out_of_range || value < min || value > max) {
          return what + " is " + range + "; got " + text;
        }
        return std::string();
      },
      range);
}

}  // namespace keel::cli
