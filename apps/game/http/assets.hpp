#pragma once
// The front end's files: built into the binary (cmake/embed_files.cmake), or
// read from a directory while working on them.

#include <corio/engine/static_files.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace corio_game {

struct embedded_file {
    std::string_view name; ///< path below the web root, e.g. "vendor/socket.io.min.js"
    std::string_view bytes;
};

namespace detail {
extern const embedded_file embedded_files_table[];
extern const std::size_t embedded_files_count;
} // namespace detail

/// The built-in file called `name`, if there is one.
std::optional<std::string_view> find_embedded_file(std::string_view name) noexcept;

/// The Content-Type for a file name's extension (text types with charset=utf-8).
using corio::engine::content_type_for;

/// The file `name` below `root`, read from disk. std::nullopt if it does not
/// exist or `name` tries to leave `root` ("..", absolute paths).
inline std::optional<std::string> read_web_file(const std::string& root, std::string_view name)
{
    return corio::engine::read_file_below(root, name);
}

} // namespace corio_game
