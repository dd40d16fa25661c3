// Files that must survive a crash whole or not at all: the durable head,
// the webhook receiver's dead letters. A crash leaves the old file or the
// new one, never a torn mix.
#pragma once

#include <filesystem>
#include <string_view>

#include "engine/status.h"

namespace keel {

// Replaces `file` with `bytes`: a temporary file beside it, fsync, rename,
// fsync of the folder. The folder must exist.
Status ReplaceFileDurably(const std::filesystem::path& file, std::string_view bytes);

// Removes `file` and fsyncs its folder, so the removal survives a crash too.
// A file that is already gone is not an error.
Status RemoveFileDurably(const std::filesystem::path& file);

}  // namespace keel
