#pragma once
// What every fuzz target shares: an invariant check that stops the run with a
// message (libFuzzer then saves the input as a crash), and a deterministic
// way to split one input into pieces.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

namespace corio_fuzz {

/// Aborts with `what` when `ok` is false: a broken invariant is a finding,
/// like a crash.
inline void check(bool ok, const char* what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
        std::abort();
    }
}

/// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept
{
    return {reinterpret_cast<const char*>(data), size};
}

/// Cut points that split `size` bytes into pieces of 1 to `max_piece`
/// bytes, chosen from a hash of `text` so that one input always splits the
/// same way (the fuzzer's mutations move the cuts too).
inline std::vector<std::size_t> cut_points(std::string_view text, std::size_t max_piece)
{
    std::uint64_t h = 1469598103934665603ull; // FNV-1a
    for (unsigned char c : text)
        h = (h ^ c) * 1099511628211ull;
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0; at < text.size();) {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        at += 1 + static_cast<std::size_t>(h % max_piece);
        if (at < text.size())
            cuts.push_back(at);
    }
    return cuts;
}

} // namespace corio_fuzz
