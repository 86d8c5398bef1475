// The Admin UI's basic auth: bcrypt hashes checked with libcrypt's crypt_rn.

#include <corio/admin_ui.hpp>

#include "socketio/bcrypt_hash.hpp"

#include <crypt.h>

#include <cstring>
#include <memory>

namespace corio {

namespace detail {

// A two-digit cost, '$', then 53 characters (22 of salt, 31 of hash) of
// bcrypt's base64 alphabet.
bool is_bcrypt_hash(std::string_view h) noexcept
{
    if (h.size() != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$')
        return false;
    if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y')
        return false;
    if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9')
        return false;
    for (char c : h.substr(7))
        if (!(c == '.' || c == '/' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    return true;
}

} // namespace detail

bool bcrypt_matches(std::string_view password, std::string_view hash)
{
    if (!detail::is_bcrypt_hash(hash) || password.find('\0') != std::string_view::npos)
        return false;
    const std::string pw(password);
    const std::string setting(hash);
    // crypt_data is about 32 kB: not on a coroutine's stack.
    auto data = std::make_unique<crypt_data>();
    const char* out = crypt_rn(pw.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
    if (!out || std::strlen(out) != hash.size())
        return false;
    // In constant time: how much of a guess matched must not show.
    unsigned char diff = 0;
    for (std::size_t i = 0; i < hash.size(); ++i)
        diff |= static_cast<unsigned char>(out[i] ^ hash[i]);
    return diff == 0;
}

std::optional<admin_ui_credentials> parse_admin_ui_credentials(std::string_view user_and_hash)
{
    auto colon = user_and_hash.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return std::nullopt;
    auto hash = user_and_hash.substr(colon + 1);
    if (!detail::is_bcrypt_hash(hash))
        return std::nullopt;
    return admin_ui_credentials{std::string(user_and_hash.substr(0, colon)), std::string(hash)};
}

} // namespace corio
