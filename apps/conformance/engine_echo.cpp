#include "engine_echo.hpp"

#include <corio/engine/session.hpp>

namespace conformance {

namespace {

class session_echo final : public corio::engine::session_handler {
public:
    // Weak: the engine holds this, and the session is alive while it calls.
    explicit session_echo(std::weak_ptr<corio::engine::session> s) : session_(std::move(s)) {}

    void on_message(corio::protocol::packet&& message) override
    {
        if (auto s = session_.lock())
            s->send(std::move(message));
    }

    void on_close(corio::engine::close_reason) override {}

private:
    std::weak_ptr<corio::engine::session> session_;
};

} // namespace

std::shared_ptr<corio::engine::session_handler> engine_echo::on_open(const std::shared_ptr<corio::engine::session>& s)
{
    return std::make_shared<session_echo>(s);
}

} // namespace conformance
