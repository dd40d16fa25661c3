// Running the real `keel` executable from tests, as a user would: arguments,
// standard input, and back its standard output, standard error and exit code.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::testing {

struct KeelRun {
  int exit_code = -1;  // the exit status; 128 + signal number when killed by a signal
  std::string out;     // standard output
  std::string err;     // standard error

  // "exit 1; stdout: ...; stderr: ..." for failure messages.
  std::string Describe() const;
};

// The path of the keel executable under test.
std::string KeelPath();

// Runs `keel ARGS...` with `input` on its standard input and waits for it.
// The working directory is the test's (the repository root under ctest).
KeelRun RunKeel(const std::vector<std::string>& args, std::string_view input = {});

// As RunKeel, with `in_child` run in the child before keel starts: to drop
// privileges or set a resource limit for keel alone. It must only make
// async-signal-safe calls (the child of a fork).
KeelRun RunKeel(const std::vector<std::string>& args, std::string_view input, const std::function<void()>& in_child);

// The lines of `text` without their line breaks; no empty last line.
std::vector<std::string> Lines(std::string_view text);

}  // namespace keel::testing
