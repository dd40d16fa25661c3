// Every fuzz target over its seeds and its saved findings, in the default
// suite: a finding fixed once stays fixed. The inputs:
//   tests/fuzz/corpus/TARGET/*    hand-written seeds and every crash, hang or
//                                 leak a fuzzer found (named for what it broke)
//   examples/**                   the packs' events (one per line), rule and
//                                 template files, the seeds `.ci/fuzz` starts from
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/fuzz/fuzz_corpus.h"
#include "tests/fuzz/fuzz_targets.h"

namespace keel::fuzz {

// ctest lists each target by name, not by its bytes (found by argument-
// dependent lookup, so outside the unnamed namespace).
void PrintTo(const NamedTarget& target, std::ostream* out) { *out << target.name; }

namespace {

class FuzzRegressionTest : public ::testing::TestWithParam<NamedTarget> {};

TEST_P(FuzzRegressionTest, EverySeedAndFindingRunsCleanly) {
  const NamedTarget& target = GetParam();
  std::vector<std::string> inputs = CorpusInputs(target.name, KEEL_SOURCE_DIR);
  ASSERT_FALSE(inputs.empty()) << "no seeds for " << target.name;
  for (const std::string& input : inputs) {
    // A crash ends the test binary; a sanitizer build (.ci/sanitize) also
    // catches what would only corrupt memory here.
    EXPECT_EQ(target.run(reinterpret_cast<const uint8_t*>(input.data()), input.size()), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressionTest, ::testing::ValuesIn(AllTargets().begin(), AllTargets().end()),
                         [](const ::testing::TestParamInfo<NamedTarget>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace keel::fuzz
