// The fuzz targets. Each takes arbitrary bytes and must return, whatever they
// are, without a crash, a hang, a leak or a sanitizer report; a target that
// finds a broken property (an accepted event that does not decode again to
// itself) aborts, so libFuzzer keeps the input.
//
// They are built twice: into libFuzzer programs (fuzz_main.cc, run by
// `.ci/fuzz`) and into keel_fuzz_regression_tests, which replays every seed
// and every saved finding (tests/fuzz/corpus/TARGET/) in the default suite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace keel::fuzz {

using Target = int (*)(const uint8_t* data, size_t size);

struct NamedTarget {
  const char* name;  // the corpus folder and the libFuzzer program: keel_fuzz_NAME
  Target run;
};

// An event as it arrives from a file or Kafka: decoded, validated against the
// embedded schemas, and, when accepted, decoded again from its canonical form.
int EventDecoder(const uint8_t* data, size_t size);
// A CEL expression: parsed and checked as a rule's `if`, then evaluated on a
// sample event within the default cost bound; also parsed unchecked.
int CelExpression(const uint8_t* data, size_t size);
// A rules file, loaded beside a fixed template.
int RuleFile(const uint8_t* data, size_t size);
// A task template file, loaded beside a fixed rule that applies it.
int TemplateFile(const uint8_t* data, size_t size);
// A binary-mode CloudEvent from Kafka: `ce_` header lines, a blank line, the
// value; rewritten into structured JSON and decoded.
int KafkaBinary(const uint8_t* data, size_t size);

std::span<const NamedTarget> AllTargets();

}  // namespace keel::fuzz
