#include "engine_echo.hpp"

#include <corio/engine/session.hpp>

namespace conformance {

void engine_echo::on_message(const std::shared_ptr<corio::engine::session>& s, corio::protocol::packet&& message)
{
    s->send(std::move(message));
}

} // namespace conformance
