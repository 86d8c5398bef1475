#include <corio/log.hpp>

#include "protocol/utf8_replacement.hpp"

#include <corio/protocol/json_writer.hpp>

#include <array>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>

namespace corio {

namespace {

struct named_field {
    std::string_view name;
    std::string_view log_record::*member;
};

// The order both formats write them in.
constexpr std::array<named_field, 7> fields{{
    {"sid", &log_record::sid},
    {"socket", &log_record::socket},
    {"nsp", &log_record::nsp},
    {"remote", &log_record::remote},
    {"event", &log_record::event},
    {"reason", &log_record::reason},
    {"error", &log_record::error},
}};

constexpr std::string_view hex = "0123456789abcdef";

bool is_control(char c) noexcept
{
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

// Control characters escaped, so that a client-chosen string (an event
// name, a namespace) cannot start a forged line.
void append_escaped_text(std::string& out, std::string_view s)
{
    for (char c : s) {
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        default:
            if (is_control(c)) {
                auto u = static_cast<unsigned char>(c);
                out += "\\x";
                out += hex[u >> 4];
                out += hex[u & 0xf];
            } else {
                out += c;
            }
        }
    }
}

bool needs_quotes(std::string_view s) noexcept
{
    if (s.empty())
        return true;
    for (char c : s)
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || is_control(c))
            return true;
    return false;
}

// Text from clients may not be UTF-8: a log shipper must still read the line.
void append_json_string(std::string& out, std::string_view raw)
{
    protocol::write_json_string(protocol::replace_invalid_utf8(raw), out);
}

std::string utc_time(std::chrono::system_clock::time_point time)
{
    auto seconds = std::chrono::floor<std::chrono::seconds>(time);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds).count();
    std::time_t t = std::chrono::system_clock::to_time_t(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 128> buf{}; // room for any int in every field
    std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
    return buf.data();
}

// One write per line under the lock: lines from several threads stay whole.
class stream_writer {
public:
    explicit stream_writer(std::ostream& out) : out_(out) {}
    void write_line(std::string line)
    {
        line += '\n';
        std::lock_guard lock(mutex_);
        out_.write(line.data(), static_cast<std::streamsize>(line.size()));
        out_.flush();
    }

private:
    std::ostream& out_;
    std::mutex mutex_;
};

} // namespace

std::string_view to_string(log_level level) noexcept
{
    switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
    case log_level::off: return "off";
    }
    return "unknown";
}

std::optional<log_level> parse_log_level(std::string_view name) noexcept
{
    for (auto level : {log_level::debug, log_level::info, log_level::warning, log_level::error, log_level::off})
        if (name == to_string(level))
            return level;
    return std::nullopt;
}

logger::logger() : sink_(text_sink()), min_(log_level::warning) {}

void logger::write(const log_record& r) const noexcept
{
    try {
        sink_(r);
    } catch (...) {
        // A failing sink (a full disk, a closed pipe) must not end the
        // handler or connection that logged.
    }
}

std::string format_text(const log_record& r)
{
    std::string out;
    out.reserve(64 + r.message.size());
    out += to_string(r.level);
    out += ' ';
    append_escaped_text(out, r.message);
    for (const auto& f : fields) {
        std::string_view value = r.*f.member;
        if (value.empty())
            continue;
        out += ' ';
        out += f.name;
        out += '=';
        if (needs_quotes(value)) {
            out += '"';
            append_escaped_text(out, value);
            out += '"';
        } else {
            out += value;
        }
    }
    return out;
}

std::string format_json(const log_record& r, std::chrono::system_clock::time_point time)
{
    std::string out;
    out.reserve(96 + r.message.size());
    out += "{\"time\":\"";
    out += utc_time(time);
    out += "\",\"level\":\"";
    out += to_string(r.level);
    out += "\",\"msg\":";
    append_json_string(out, r.message);
    for (const auto& f : fields) {
        std::string_view value = r.*f.member;
        if (value.empty())
            continue;
        out += ",\"";
        out += f.name;
        out += "\":";
        append_json_string(out, value);
    }
    out += '}';
    return out;
}

log_sink text_sink()
{
    return text_sink(std::cerr);
}

log_sink text_sink(std::ostream& out)
{
    return [writer = std::make_shared<stream_writer>(out)](const log_record& r) {
        writer->write_line(format_text(r));
    };
}

log_sink json_sink()
{
    return json_sink(std::cerr);
}

log_sink json_sink(std::ostream& out)
{
    return [writer = std::make_shared<stream_writer>(out)](const log_record& r) {
        writer->write_line(format_json(r, std::chrono::system_clock::now()));
    };
}

} // namespace corio
