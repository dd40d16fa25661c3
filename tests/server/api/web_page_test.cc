// The embedded page over real HTTP on loopback: every file in web/ is served
// at its path with the bytes on disk and the content type of its kind, `/` is
// index.html, every answer carries the page's security headers, a matching
// If-None-Match is answered 304, and nothing else is served.
#include "server/api/web_page.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "connectors/http/http_server.h"
#include "server/api/web_files.h"

namespace keel::api {
namespace {

constexpr char kWebDir[] = KEEL_SOURCE_DIR "/web";

// The type each kind of page file must be served with, written from RFC 9239
// (text/javascript), RFC 2318 (text/css), the HTML standard and SVG 1.1.
const std::map<std::string, std::string>& ExpectedTypes() {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
  };
  return types;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class WebPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (WebRoute& route : WebPageRoutes()) server_.Route("GET", route.path, std::move(route.handler));
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }

  http::HttpServer server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WebPageTest, EveryPageFileIsServedWithItsBytesAndType) {
  int served = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kWebDir)) {
    std::string extension = entry.path().extension().string();
    if (!entry.is_regular_file() || ExpectedTypes().count(extension) == 0) continue;
    std::string path = "/" + std::filesystem::relative(entry.path(), kWebDir).generic_string();
    auto answer = client_->Get(path);
    ASSERT_TRUE(answer) << path;
    EXPECT_EQ(answer->status, 200) << path;
    EXPECT_EQ(answer->get_header_value("Content-Type"), ExpectedTypes().at(extension)) << path;
    EXPECT_EQ(answer->body, ReadFile(entry.path())) << path << ": rebuild to embed the file";
    ++served;
  }
  EXPECT_GE(served, 10);  // index.html, style.css, app.js, api.js, dom.js, chart.js, the views
  EXPECT_EQ(static_cast<size_t>(served), WebFiles().size()) << "a file embedded that web/ does not have";
}

TEST_F(WebPageTest, RootIsTheIndexPage) {
  auto answer = client_->Get("/");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(answer->body, ReadFile(std::string(kWebDir) + "/index.html"));
}

TEST_F(WebPageTest, AnswersCarryTheSecurityAndCacheHeaders) {
  auto answer = client_->Get("/app.js");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->get_header_value("Content-Security-Policy"),
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'");
  EXPECT_EQ(answer->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(answer->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(answer->get_header_value("Cache-Control"), "no-cache");
  EXPECT_FALSE(answer->get_header_value("ETag").empty());
}

TEST_F(WebPageTest, MatchingEntityTagIsAnswered304WithoutBody) {
  auto first = client_->Get("/style.css");
  ASSERT_TRUE(first);
  std::string tag = first->get_header_value("ETag");
  auto again = client_->Get("/style.css", {{"If-None-Match", tag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto other = client_->Get("/style.css", {{"If-None-Match", "\"0000000000000000\""}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

TEST_F(WebPageTest, NothingButThePageFilesIsServed) {
  for (const char* path : {"/README.md", "/embed.cmake", "/CMakeLists.txt", "/../CMakeLists.txt", "/nothing.js"}) {
    auto answer = client_->Get(path);
    ASSERT_TRUE(answer) << path;
    EXPECT_EQ(answer->status, 404) << path;
  }
}

TEST(WebFilesTest, ContentTypeByExtension) {
  EXPECT_EQ(ContentTypeOf("/views/okr.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("/favicon.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeOf("/x.unknown"), "application/octet-stream");
  EXPECT_EQ(ContentTypeOf(".js"), "application/octet-stream");  // no name before the extension
  ASSERT_NE(FindWebFile("/"), nullptr);
  EXPECT_EQ(FindWebFile("/")->path, "/index.html");
  EXPECT_EQ(FindWebFile("/missing.html"), nullptr);
}

}  // namespace
}  // namespace keel::api
