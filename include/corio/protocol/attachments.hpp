#pragma once
// Binary attachments: inside a packet's JSON data, each binary buffer is
// replaced by a placeholder `{"_placeholder":true,"num":<index>}`, and the
// buffers travel after the packet in index order.
//
// Corio keeps data in this deconstructed form end to end (JSON tree plus
// buffer list), so a packet can be re-sent or broadcast without re-walking it;
// `reconstruct_check` is the validation socket.io's reconstruction performs.

#include <corio/protocol/error.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace corio::protocol {

/// `{"_placeholder":true,"num":<num>}`
boost::json::value make_placeholder(std::size_t num);

/// The index of `v` if it is a placeholder object with a valid integer `num`
/// (non-negative); std::nullopt otherwise.
std::optional<std::size_t> placeholder_index(const boost::json::value& v) noexcept;

/// Checks every placeholder in `data`: an object whose `_placeholder` is true
/// must have a `num` in [0, attachment_count). Returns
/// error::invalid_placeholder otherwise.
result<void> reconstruct_check(const boost::json::value& data, std::size_t attachment_count);

/// Builds a payload by moving buffers out of the JSON tree ("deconstruct"):
/// `add` stores a buffer and returns the placeholder to put where it was.
class attachment_builder {
public:
    boost::json::value add(std::string bytes);
    std::vector<std::string> take() && { return std::move(buffers_); }
    std::size_t size() const noexcept { return buffers_.size(); }

private:
    std::vector<std::string> buffers_;
};

} // namespace corio::protocol
