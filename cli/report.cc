#include "cli/report.h"

#include <iostream>

#include "cli/terminal_text.h"

namespace keel::cli {

int ReportError(std::string_view command, const Status& status) {
  std::cerr << "keel " << command << ": error: " << TerminalLines(status.message()) << "\n";
  return kExitFailed;
}

int ReportStopped(std::string_view command, const Status& status) {
  std::cerr << "keel " << command << ": error: " << status.message() << "\n"
            << "keel " << command << ": stopped before the end of the input; the counts printed are what was "
            << "committed before it stopped\n";
  return kExitFailed;
}

}  // namespace keel::cli
