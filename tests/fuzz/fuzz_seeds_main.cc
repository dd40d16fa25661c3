// keel_fuzz_seeds TARGET SOURCE_DIR OUT_DIR: writes the seeds of one fuzz
// target as files (seed-0001, ...) for libFuzzer to start from.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/fuzz/fuzz_corpus.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: keel_fuzz_seeds TARGET SOURCE_DIR OUT_DIR\n");
    return 2;
  }
  std::filesystem::create_directories(argv[3]);
  int n = 0;
  for (const std::string& input : keel::fuzz::CorpusInputs(argv[1], argv[2])) {
    char name[32];
    std::snprintf(name, sizeof name, "seed-%04d", ++n);
    std::ofstream(std::filesystem::path(argv[3]) / name, std::ios::binary) << input;
  }
  std::printf("%d seeds for %s\n", n, argv[1]);
  return n > 0 ? 0 : 1;
}
