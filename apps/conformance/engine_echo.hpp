#pragma once
// Part A of the conformance app: a raw Engine.IO endpoint that sends every
// message back unchanged.

#include <corio/engine/handler.hpp>

namespace conformance {

class engine_echo final : public corio::engine::handler {
public:
    void on_open(const std::shared_ptr<corio::engine::session>&) override {}
    void on_message(const std::shared_ptr<corio::engine::session>& s, corio::protocol::packet&& message) override;
    void on_close(const std::shared_ptr<corio::engine::session>&, corio::engine::close_reason) override {}
};

} // namespace conformance
