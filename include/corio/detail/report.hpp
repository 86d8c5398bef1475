#pragma once
// Hooks the handler adapters (corio/invoke.hpp) call into the server.

#include <string_view>

namespace corio {
class context;
}

namespace corio::detail {

/// An event's arguments did not convert to its handler's parameters: the
/// handler is not run; the client gets the error in its ack if it asked for
/// one, else the server's argument_error_event; the server logs and counts it.
void report_argument_error(context& ctx, std::string_view message);

} // namespace corio::detail
