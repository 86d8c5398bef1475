#pragma once
// Part A of the conformance app: a raw Engine.IO endpoint that sends every
// message back unchanged.

#include <corio/engine/handler.hpp>

namespace conformance {

class engine_echo final : public corio::engine::handler {
public:
    /// Each session gets an echo of its own.
    std::shared_ptr<corio::engine::session_handler> on_open(const std::shared_ptr<corio::engine::session>& s) override;
};

} // namespace conformance
