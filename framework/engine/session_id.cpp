#include <corio/engine/session_id.hpp>

#include <boost/system/system_error.hpp>

#include <array>
#include <cerrno>
#include <cstddef>
#include <span>
#include <string_view>
#include <sys/random.h>

namespace corio::engine {

namespace {

constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void fill_random(std::span<unsigned char> out)
{
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw boost::system::system_error(errno, boost::system::system_category(), "getrandom");
        }
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

std::string make_session_id()
{
    std::array<unsigned char, 15> bytes{};
    fill_random(bytes);
    std::string id;
    id.reserve(20);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        unsigned v = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
        id += base64url_alphabet[(v >> 18) & 63];
        id += base64url_alphabet[(v >> 12) & 63];
        id += base64url_alphabet[(v >> 6) & 63];
        id += base64url_alphabet[v & 63];
    }
    return id;
}

} // namespace corio::engine
