// The bytes a client connection has read and not yet parsed, shared by the
// WebSocket (raw_connection.cpp) and long-polling (http_channel.cpp)
// clients: reads go into its free end, the parser takes from its front, and
// what is taken is reused rather than freed.
#pragma once

#include <boost/asio/buffer.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace loadgen {

/// Not thread safe: one connection's executor uses it.
class read_buffer {
public:
    /// What a connection reads into at first; it grows for larger messages.
    static constexpr std::size_t initial_size = 4096;

    read_buffer() { bytes_.resize(initial_size); }

    /// The bytes read and not yet consumed. Valid until the next space().
    std::string_view unread() const noexcept { return std::string_view(bytes_).substr(begin_, end_ - begin_); }

    /// How many bytes have been read and not consumed.
    std::size_t size() const noexcept { return end_ - begin_; }

    /// Drops `n` bytes from the front of unread().
    void consume(std::size_t n) noexcept { begin_ += n; }

    /// Drops everything unread.
    void clear() noexcept { begin_ = end_ = 0; }

    /// The free end to read into, made room for: consumed bytes are dropped
    /// from the front first (a message cut by the end of a read moves to the
    /// front), and the buffer grows when less than initial_size is free.
    /// Invalidates views from unread().
    boost::asio::mutable_buffer space();

    /// Counts `n` bytes just read into space().
    void commit(std::size_t n) noexcept { end_ += n; }

private:
    std::string bytes_; ///< [begin_, end_) unread
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

} // namespace loadgen
