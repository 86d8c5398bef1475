// What the load generator measures about processes rather than sockets: the
// servers' resident memory and CPU time, and its own CPU use (to tell when
// the load generator, not the server, is the bottleneck).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace loadgen {

/// VmRSS of process `pid` in KiB, from /proc/<pid>/status; nullopt when it
/// cannot be read (no such process, no permission, no /proc).
std::optional<std::uint64_t> read_rss_kib(int pid);

/// CPU time process `pid` has used so far, user + system over all its
/// threads, in seconds (clock-tick resolution, usually 10 ms), from
/// /proc/<pid>/stat; nullopt when it cannot be read.
std::optional<double> read_cpu_seconds(int pid);

/// CPU time of this whole process (all threads, user + system) over a window
/// of wall time.
///
/// @par Thread Safety
/// Not synchronised: start() and stop() on one coroutine, the readers after stop().
class cpu_meter {
public:
    void start();
    void stop();
    bool measured() const { return stopped_; }
    double cpu_seconds() const { return cpu_seconds_; }
    double wall_seconds() const { return wall_seconds_; }
    /// Cores' worth of CPU used over the window (1.0 = one core busy).
    double cores() const;

private:
    std::chrono::steady_clock::time_point wall_start_{};
    double cpu_start_ = 0;
    double cpu_seconds_ = 0;
    double wall_seconds_ = 0;
    bool stopped_ = false;
};

} // namespace loadgen
