#pragma once

#include <corio/server.hpp>

namespace conformance {

/// Part B: the app the official socket.io-protocol suite expects.
void setup_suite_app(corio::server& io);

} // namespace conformance
