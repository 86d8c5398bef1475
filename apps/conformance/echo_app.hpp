#pragma once

#include <corio/server.hpp>

#include <chrono>
#include <functional>

namespace conformance {

/// Simulates a crash and restart: drop every connection, stop listening for
/// the given time, then listen again with empty state.
using restart_hook = std::function<void(std::chrono::milliseconds down)>;

/// Part C: the echo app the real-client checks drive.
void setup_echo_app(corio::server& io, restart_hook restart);

} // namespace conformance
