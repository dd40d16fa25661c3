#include "connectors/ndjson/ndjson_reader.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace keel {
namespace {

std::vector<NdjsonLine> ReadAll(const std::string& content, size_t limit, std::vector<std::string>* texts) {
  testing::TempDir dir;
  std::ofstream(dir / "in.ndjson", std::ios::binary) << content;
  auto reader = NdjsonReader::Open((dir / "in.ndjson").string(), limit);
  EXPECT_TRUE(reader.ok());
  std::vector<NdjsonLine> lines;
  NdjsonLine line;
  while (true) {
    auto more = (*reader)->Next(&line);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    lines.push_back(line);
    texts->emplace_back(line.text);
  }
  return lines;
}

TEST(NdjsonReaderTest, NumbersLinesAndSkipsBlankOnes) {
  std::vector<std::string> texts;
  auto lines = ReadAll("{\"a\":1}\n\n   \n{\"b\":2}\r\n{\"c\":3}", 1024, &texts);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].number, 1u);
  EXPECT_EQ(lines[1].number, 4u);
  EXPECT_EQ(texts[1], "{\"b\":2}");  // CR dropped
  EXPECT_EQ(lines[2].number, 5u);    // no final newline
  EXPECT_EQ(texts[2], "{\"c\":3}");
}

TEST(NdjsonReaderTest, AnOversizedLineIsReportedWithItsLengthAndTheNextLineStillReads) {
  std::string big(5000, 'x');
  std::vector<std::string> texts;
  auto lines = ReadAll("{\"a\":1}\n" + big + "\n{\"b\":2}\n", 100, &texts);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[1].oversized);
  EXPECT_EQ(lines[1].length, 5000u);
  EXPECT_EQ(lines[1].number, 2u);
  EXPECT_TRUE(lines[1].text.empty());
  EXPECT_EQ(texts[2], "{\"b\":2}");
  EXPECT_EQ(lines[2].number, 3u);
}

TEST(NdjsonReaderTest, LinesLongerThanTheReadBufferArriveWhole) {
  std::string long_line = "\"" + std::string(3 << 20, 'y') + "\"";
  std::vector<std::string> texts;
  auto lines = ReadAll("1\n" + long_line + "\n2\n", 4 << 20, &texts);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(texts[1], long_line);
  EXPECT_EQ(texts[2], "2");
}

TEST(NdjsonReaderTest, AMissingFileIsAClearError) {
  auto reader = NdjsonReader::Open("/nonexistent/events.ndjson", 1024);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("/nonexistent/events.ndjson"), std::string::npos);
}

}  // namespace
}  // namespace keel
