#include "server/api/web_files.h"

#include <array>
#include <utility>

namespace keel::api {

const WebFile* FindWebFile(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const WebFile& file : WebFiles()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

std::string_view ContentTypeOf(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
      {".png", "image/png"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (path.size() > extension.size() && path.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

}  // namespace keel::api
