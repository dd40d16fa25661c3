// The seed inputs of each fuzz target: its folder under tests/fuzz/corpus/,
// plus what examples/ holds of its kind. Shared by the regression test and
// `keel_fuzz_seeds`, which writes them out as files for libFuzzer.
#pragma once

#include <string>
#include <vector>

namespace keel::fuzz {

// Every seed of `target` ("event_decoder", ...), read from `source_dir`.
std::vector<std::string> CorpusInputs(const std::string& target, const std::string& source_dir);

}  // namespace keel::fuzz
