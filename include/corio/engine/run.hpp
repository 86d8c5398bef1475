#pragma once

#include <boost/asio/io_context.hpp>

namespace corio::engine {

/// Runs `ioc` on `threads` threads, the calling one included, and returns
/// when it runs out of work or is stopped.
void run(boost::asio::io_context& ioc, unsigned threads);

} // namespace corio::engine
