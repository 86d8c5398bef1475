#include <corio/engine/session_id.hpp>

#include <boost/system/system_error.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <span>
#include <string_view>
#include <pthread.h>
#include <sys/random.h>

namespace corio::engine {

namespace {

constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::size_t id_bytes = 15;

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

// Bumped in a forked child, whose threads' buffers are copies of the
// parent's: the child must not hand out the ids the parent will.
std::atomic<unsigned> fork_generation{0};

unsigned register_fork_handler() noexcept
{
    ::pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
    return 0;
}

/// Bytes of the kernel's CSPRNG, fetched 16 ids' worth per getrandom call
/// (a system call per id was two per connection). Each byte is handed out
/// once, by the thread that fetched it, so the ids are exactly as
/// unpredictable as getrandom's output: the buffer saves calls, not entropy.
struct random_buffer {
    std::array<unsigned char, 16 * id_bytes> bytes{};
    std::size_t used = 16 * id_bytes; // empty
    unsigned generation = 0;

    std::span<const unsigned char, id_bytes> take()
    {
        static const unsigned registered = register_fork_handler();
        (void)registered;
        const unsigned now = fork_generation.load(std::memory_order_relaxed);
        if (used == bytes.size() || generation != now) {
            fill_random(bytes);
            used = 0;
            generation = now;
        }
        std::span<const unsigned char, id_bytes> out(bytes.data() + used, id_bytes);
        used += id_bytes;
        return out;
    }
};

thread_local random_buffer id_random_bytes;

} // namespace

std::string make_session_id()
{
    const auto bytes = id_random_bytes.take();
    std::array<char, id_bytes / 3 * 4> text;
    char* out = text.data();
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        unsigned v = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
        *out++ = base64url_alphabet[(v >> 18) & 63];
        *out++ = base64url_alphabet[(v >> 12) & 63];
        *out++ = base64url_alphabet[(v >> 6) & 63];
        *out++ = base64url_alphabet[v & 63];
    }
    return std::string(text.data(), text.size());
}

} // namespace corio::engine
