#pragma once
// Prometheus metrics: a writer of the text exposition format (0.0.4), an HTTP
// endpoint that serves it at each scrape, and the engine layer's samples (a
// listener's and an Engine.IO endpoint's counters). corio/metrics.hpp adds a
// Socket.IO server's, corio/redis/metrics.hpp a Redis cluster's.

#include <corio/engine/http_endpoint.hpp>
#include <corio/engine/stats.hpp>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace corio::engine {

class listener;
class server;

/// Builds one scrape's text: samples are grouped by family, each family
/// written once with its HELP and TYPE lines, families in the order first
/// written. Label values are escaped as the format requires.
class metrics_writer {
public:
    /// Label names and values of one sample.
    using labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

    /// A sample of counter family `name` (by convention it ends in _total).
    /// @throws std::logic_error if `name` was written before as a gauge.
    void counter(std::string_view name, std::string_view help, labels l, std::uint64_t value);
    /// A sample of gauge family `name`.
    /// @throws std::logic_error if `name` was written before as a counter.
    void gauge(std::string_view name, std::string_view help, labels l, double value);
    /// A histogram of family `name` (by convention its unit ends the name:
    /// ..._seconds): its cumulative `name`_bucket samples, one per bound and
    /// one for le="+Inf", then `name`_sum and `name`_count. `l` must not
    /// hold "le".
    /// @throws std::logic_error if `name` was written before as another
    /// type, or if `h.counts` does not have one more entry than `h.bounds`.
    void histogram(std::string_view name, std::string_view help, labels l, const histogram_snapshot& h);

    /// The exposition text.
    std::string text() const;

private:
    struct family {
        std::string name;
        std::string_view type;
        std::string help;
        std::string samples;
    };
    family& family_for(std::string_view name, std::string_view type, std::string_view help);
    void sample(family& f, labels l, std::string_view value);
    /// A sample of `f` named `f.name` + `suffix`, with `le` last when given.
    void sample(family& f, std::string_view suffix, labels l, std::string_view le, std::string_view value);

    std::vector<family> families_;
    std::unordered_map<std::string, std::size_t> index_;
};

/// Serves GET `path` with the text its sources write at that moment; other
/// methods get 405, and a request with a body 413. Add it to a listener
/// (listener::add) next to the Engine.IO endpoints, or to a listener of its
/// own on another port (one that only the scraper reaches: the samples say
/// how busy the server is and which namespaces exist).
///
/// @par Thread safety
/// Add the sources before the listener accepts. Scrapes may run at once on
/// several connections: each source must allow being called from any thread
/// (the collectors of this library do).
class metrics_endpoint final : public http_endpoint {
public:
    /// Writes one source's samples.
    using source = std::function<void(metrics_writer&)>;

    /// `path` with its trailing slash ("/metrics/" answers "/metrics" too).
    explicit metrics_endpoint(std::string path = "/metrics/");

    void add(source s);
    /// What a scrape gets now.
    std::string text() const;

    const std::string& path() const noexcept override { return path_; }
    std::size_t body_limit() const noexcept override { return 0; }
    boost::asio::awaitable<bool> handle_request(http_stream& stream, http_request req,
                                                std::string remote_address) override;

private:
    std::string path_;
    std::vector<source> sources_;
};

/// `text` as a label value in the usual style: its spaces become
/// underscores ("transport close" gives "transport_close").
std::string snake_case(std::string_view text);

/// The media type of the exposition text.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// The listener's connections: accepted, open, refused and closed by limit
/// (listener_stats), as corio_listener_* families.
void write_metrics(metrics_writer& w, const listener& l);

/// The Engine.IO endpoint's sessions: open by transport, opened, refused and
/// closed by reason, as corio_engine_* families labelled endpoint="<path>".
void write_metrics(metrics_writer& w, const server& s);

} // namespace corio::engine
