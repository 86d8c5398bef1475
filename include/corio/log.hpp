#pragma once
// Corio's logging: records with structured fields (session, namespace,
// remote address, reason), a sink that receives them, and a logger that
// drops records below its minimum level before anything is formatted.

#include <chrono>
#include <concepts>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace corio {

/// How much a record matters. `off` is only a minimum (logger): it lets no
/// record through.
enum class log_level { debug, info, warning, error, off };

/// "debug", "info", "warning", "error", "off".
std::string_view to_string(log_level level) noexcept;
/// The level a name (as to_string gives it) stands for; std::nullopt for
/// anything else.
std::optional<log_level> parse_log_level(std::string_view name) noexcept;

/// One thing that happened. Empty fields are absent.
///
/// @par Lifetime
/// Every string_view points into the caller's storage: valid only during the
/// sink's call. A sink that keeps a record copies what it needs.
///
/// @par Secrets
/// No field carries what a client presented to authenticate: Corio never
/// puts the CONNECT packet's auth payload, request headers (cookies,
/// Authorization) or query strings into a record, nor the arguments of
/// events. Keep it so in your own records.
struct log_record {
    log_level level = log_level::info;
    /// What happened, in a few words ("connected", "handler threw").
    std::string_view message;
    /// The Engine.IO session id: the connection (the `sid` of its URLs).
    std::string_view sid;
    /// The Socket.IO socket id: the client's `socket.id` in `nsp`.
    std::string_view socket;
    /// The Socket.IO namespace.
    std::string_view nsp;
    /// The peer's address: a client's (after trusted proxies), or Redis's.
    std::string_view remote;
    /// The event a handler was running, or a packet carried.
    std::string_view event;
    /// Why: a disconnect reason ("transport close"), a refusal's message.
    std::string_view reason;
    /// The error: an exception's what(), an error code's message.
    std::string_view error;
};

/// Receives records. Called from any thread, possibly from several at once,
/// on the server's threads: it must be thread safe and must not block for
/// long. An exception it throws is swallowed: logging never stops a server.
using log_sink = std::function<void(const log_record&)>;

/// A sink and the least level it gets. A value: copy it into every options
/// struct that takes one (server_options::log,
/// engine::listener_options::log, the Redis options).
///
/// Default-constructed, it writes warnings and errors to stderr as text
/// lines (text_sink). Given a sink, it passes info and above unless told
/// otherwise; `logger::off()` logs nothing.
///
/// The level test comes first and is inline: a record below the minimum
/// costs one comparison, and Corio builds no string for it. Per-packet
/// records are debug level, so they cost nothing unless debug is on.
///
/// @par Thread safety
/// Const members: any thread. The sink's own contract applies.
class logger {
public:
    /// Warnings and errors to stderr, as text lines.
    logger();
    /// Records at `min` and above go to `sink`. A null sink logs nothing.
    template <class Sink>
        requires(!std::same_as<std::remove_cvref_t<Sink>, logger> &&
                 std::is_invocable_v<std::remove_cvref_t<Sink>&, const log_record&>)
    logger(Sink&& sink, log_level min = log_level::info) // NOLINT: a lambda converts, as a std::function does
        : sink_(std::forward<Sink>(sink)), min_(sink_ ? min : log_level::off)
    {
    }

    /// Logs nothing.
    static logger off() { return logger(log_sink{}, log_level::off); }

    /// Whether a record of `level` would reach the sink. Test it before
    /// building anything costly for a record.
    bool enabled(log_level level) const noexcept { return level >= min_; }
    log_level min_level() const noexcept { return min_; }

    /// Hands `r` to the sink when its level is enabled.
    void operator()(const log_record& r) const
    {
        if (enabled(r.level))
            write(r);
    }

private:
    void write(const log_record& r) const noexcept;

    log_sink sink_;
    log_level min_;
};

/// One line of text, without its newline:
/// `level message sid=… socket=… nsp=… remote=… event=… reason=… error=…`
/// (the fields present). A value with a space, a quote, `=` or a control
/// character is quoted; control characters are escaped (`\n`, `\x01`), so
/// that one record is always one line.
std::string format_text(const log_record& r);

/// One JSON object, without its newline:
/// `{"time":"2024-05-01T12:00:00.123Z","level":"info","msg":"connected","sid":…}`
/// (the fields present; time in UTC, milliseconds). Strings are escaped as
/// RFC 8259 says; bytes that are not UTF-8 become U+FFFD.
std::string format_json(const log_record& r, std::chrono::system_clock::time_point time);

/// Writes format_text lines to `out` (by default std::cerr), one write per
/// line under a lock, so lines from several threads do not mix. Good for a
/// terminal, and for journald (which stamps the time itself).
/// @par Lifetime
/// `out` must outlive the sink and its copies.
log_sink text_sink();
log_sink text_sink(std::ostream& out);

/// Writes format_json lines, stamped with the time of the call, to `out` (by
/// default std::cerr): JSON lines for log shippers. As text_sink otherwise.
log_sink json_sink();
log_sink json_sink(std::ostream& out);

} // namespace corio
