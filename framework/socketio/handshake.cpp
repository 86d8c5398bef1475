#include <corio/handshake.hpp>

namespace corio {

std::optional<std::string_view> handshake::cookie(std::string_view name) const noexcept
{
    auto header = shared_request->header("cookie");
    if (!header)
        return std::nullopt;
    // "a=1; b=2": split on ';', trim spaces, match the name exactly.
    std::string_view rest = *header;
    while (!rest.empty()) {
        auto end = rest.find(';');
        auto pair = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name)
            return pair.substr(eq + 1);
    }
    return std::nullopt;
}

} // namespace corio
