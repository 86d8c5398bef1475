#include "http/assets.hpp"

namespace corio_game {

std::optional<std::string_view> find_embedded_file(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < detail::embedded_files_count; ++i)
        if (detail::embedded_files_table[i].name == name)
            return detail::embedded_files_table[i].bytes;
    return std::nullopt;
}

} // namespace corio_game
