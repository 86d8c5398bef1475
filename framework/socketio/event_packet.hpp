#pragma once

#include <corio/arguments.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace corio::detail {

/// The EVENT packet for `event(args...)` in namespace `nsp`, with an ack id
/// when one is given. Used by the server and by corio::testing's client.
protocol::socket_packet make_event_packet(const std::string& nsp, std::string_view event, arguments args,
                                          std::optional<std::uint64_t> ack_id = std::nullopt);

} // namespace corio::detail
