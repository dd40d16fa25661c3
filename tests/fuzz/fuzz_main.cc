// One libFuzzer program per target: KEEL_FUZZ_TARGET names the function.
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return keel::fuzz::KEEL_FUZZ_TARGET(data, size);
}
