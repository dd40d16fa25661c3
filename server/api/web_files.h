// The web page's files (web/), embedded in the binary at build time by
// web/embed.cmake: each by its URL path ("/app.js"), with its content type.
#pragma once

#include <span>
#include <string_view>

namespace keel::api {

struct WebFile {
  std::string_view path;   // "/index.html", "/views/okr.js"
  std::string_view bytes;  // static storage: lives as long as the program
};

// Every embedded file, sorted by path. Defined in the generated source.
std::span<const WebFile> WebFiles();

// The file at `path` ("/" is "/index.html"), or nullptr when there is none.
const WebFile* FindWebFile(std::string_view path);

// The Content-Type of a page file, by its extension ("text/javascript;
// charset=utf-8" for .js); application/octet-stream for any other.
std::string_view ContentTypeOf(std::string_view path);

}  // namespace keel::api
