#include "process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace loadgen {

namespace {

double process_cpu_seconds()
{
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

} // namespace

std::optional<std::uint64_t> read_rss_kib(int pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        // "VmRSS:	   12345 kB"
        if (!line.starts_with("VmRSS:"))
            continue;
        auto digits = line.find_first_of("0123456789");
        if (digits == std::string::npos)
            return std::nullopt;
        std::uint64_t kib = 0;
        auto [end, ec] = std::from_chars(line.data() + digits, line.data() + line.size(), kib);
        if (ec != std::errc{})
            return std::nullopt;
        return kib;
    }
    return std::nullopt;
}

std::optional<double> read_cpu_seconds(int pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    // "pid (comm) state ppid …": the name may hold spaces and parentheses,
    // so the fields are counted from the last ')'. utime and stime are the
    // 14th and 15th fields, the 12th and 13th after the name.
    auto name_end = stat.rfind(')');
    if (name_end == std::string::npos)
        return std::nullopt;
    std::istringstream fields(stat.substr(name_end + 1));
    std::string skip;
    for (int i = 0; i < 11; ++i)
        fields >> skip;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (!(fields >> utime >> stime))
        return std::nullopt;
    long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        return std::nullopt;
    return static_cast<double>(utime + stime) / static_cast<double>(ticks);
}

void cpu_meter::start()
{
    wall_start_ = std::chrono::steady_clock::now();
    cpu_start_ = process_cpu_seconds();
    stopped_ = false;
}

void cpu_meter::stop()
{
    cpu_seconds_ = process_cpu_seconds() - cpu_start_;
    wall_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
    stopped_ = true;
}

double cpu_meter::cores() const
{
    return wall_seconds_ > 0 ? cpu_seconds_ / wall_seconds_ : 0.0;
}

} // namespace loadgen
