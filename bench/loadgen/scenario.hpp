// The interface main drives every scenario through.
#pragma once

#include "process_stats.hpp"
#include "run_context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace loadgen {

/// One benchmark run.
///
/// @par Lifetime
/// The scenario (and the run_context it uses) must outlive the io_context's
/// run: its connections call back into it until the io_context stops. It is
/// destroyed after the threads have returned, before the io_context.
class scenario {
public:
    virtual ~scenario() = default;

    /// The whole run, phases and drain included. Runs on the io_context and
    /// stops it when done.
    virtual boost::asio::awaitable<void> run() = 0;

    /// The latest counters in one line for stderr; any thread, any time.
    virtual std::string progress() const = 0;

    /// The scenario's own options, for the report.
    virtual boost::json::object params() const = 0;

    /// The results; call only after the io_context has stopped.
    virtual boost::json::object metrics() const = 0;

    /// Wall time after which main stops the run whatever its state.
    virtual std::chrono::milliseconds time_bound() const = 0;

    /// Whether at least one connection reached `40{` (else exit status 1).
    virtual bool connected_any() const = 0;

    /// The load generator's CPU use over the measured window.
    const cpu_meter& cpu() const { return cpu_; }

protected:
    cpu_meter cpu_;
};

/// The scenario ctx.opts.scenario names.
std::unique_ptr<scenario> make_scenario(run_context& ctx);

} // namespace loadgen
