#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>

namespace corio::engine {

/// Runs `ioc` on `threads` threads, the calling one included, one
/// io_context per thread: each further thread runs an io_context of its own
/// (kept by `ioc`, and reused by a later run), and the listeners of `ioc`
/// spread their new connections over all of them in turn. A connection and
/// its session then stay on one thread, and no lock is shared by all the
/// threads (docs/performance.md, "Multi-core"). Whatever else is on `ioc`
/// (its timers, a Redis link, work of your own) runs on the calling thread.
///
/// `started`, if any, is called on the calling thread once every thread is
/// ready to serve, just before it runs `ioc`.
///
/// Returns once `ioc` is stopped or runs out of work; the further
/// io_contexts are stopped then. Call it from one thread at a time.
void run(boost::asio::io_context& ioc, unsigned threads, std::function<void()> started = {});

} // namespace corio::engine
