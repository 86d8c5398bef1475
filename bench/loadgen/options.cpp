#include "options.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace loadgen {

namespace {

constexpr std::string_view usage_text =
    "usage: corio_loadgen --url ws://127.0.0.1:PORT/socket.io/\n"
    "         --scenario connect|echo|binary-echo|fanout|cluster-fanout|churn [options]\n"
    "         (wss://... for TLS: --tls-ca FILE verifies the server against that CA)\n"
    "common:  --parser json|msgpack (json: socket.io-parser; msgpack: socket.io-msgpack-parser)\n"
    "         --transport websocket|polling (websocket; polling: HTTP long-polling only, no\n"
    "         upgrade, two sockets per client; plain ws:// or http:// URLs only)\n"
    "         --threads T (1)  --sources K (8)  --server-pid PID  --handshake-timeout S (10)\n"
    "         --drain S (2)  --ramp-timeout S (60)  --concurrency C (500; churn 50)\n"
    "connect: --connections N (1000)  --rate R/s (0 = by concurrency)  --hold S (5)\n"
    "echo:    --clients C (50)  --payload B (32)  --duration S (10)  --max-acks N\n"
    "binary-echo: echo's options, the payload one binary attachment of B bytes (16 or more),\n"
    "         verified when it comes back; --in-flight K (1) emits awaiting their ack per client\n"
    "fanout:  --clients N (50)  --payload B (32)  --duration S (10)  --max-broadcasts M (1000000)\n"
    "         --interval-ms I (default: next broadcast when the previous one is acknowledged)\n"
    "         --payload-text x|json (x)  --compression on|off (off: no permessage-deflate offered)\n"
    "cluster-fanout: fanout's options, with --url (and --server-pid) once per server, 2 or more:\n"
    "         the receivers are split evenly over the servers, the emitter is on the first\n"
    "churn:   --duration S (10)  --concurrency C (50)  --max-cycles N  --settle S (2)\n"
    "         --warmup S (0: a first burst of S seconds, then a settle; its end is the RSS baseline)\n"
    "Prints progress on stderr and one JSON object on stdout.\n";

template <class T> T parse_number(std::string_view text, std::string_view option)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage_error("bad value for " + std::string(option) + ": " + std::string(text));
    return value;
}

std::chrono::milliseconds parse_seconds(std::string_view text, std::string_view option)
{
    auto seconds = parse_number<double>(text, option);
    if (!(seconds >= 0) || seconds > 86'400)
        usage_error(std::string(option) + " must be between 0 and 86400 seconds");
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000)));
}

scenario_kind parse_scenario(std::string_view text)
{
    for (auto kind : {scenario_kind::connect, scenario_kind::echo, scenario_kind::binary_echo, scenario_kind::fanout,
                      scenario_kind::cluster_fanout, scenario_kind::churn})
        if (text == to_string(kind))
            return kind;
    usage_error("unknown scenario " + std::string(text));
}

} // namespace

std::string_view to_string(scenario_kind kind)
{
    switch (kind) {
    case scenario_kind::connect: return "connect";
    case scenario_kind::echo: return "echo";
    case scenario_kind::binary_echo: return "binary-echo";
    case scenario_kind::fanout: return "fanout";
    case scenario_kind::cluster_fanout: return "cluster-fanout";
    case scenario_kind::churn: return "churn";
    }
    return "?";
}

unsigned options::effective_concurrency() const
{
    if (concurrency)
        return *concurrency;
    return scenario == scenario_kind::churn ? 50 : 500;
}

std::optional<int> options::server_pid() const
{
    if (server_pids.empty())
        return std::nullopt;
    return server_pids.front();
}

void usage_error(std::string_view problem)
{
    std::cerr << "corio_loadgen: " << problem << "\n" << usage_text;
    std::exit(2);
}

options parse_command_line(int argc, char** argv)
{
    options o;
    bool have_scenario = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cerr << usage_text;
            std::exit(0);
        }
        if (i + 1 >= argc)
            usage_error("missing value for " + std::string(arg));
        std::string_view value = argv[++i];
        if (arg == "--url")
            o.urls.emplace_back(value);
        else if (arg == "--tls-ca")
            o.tls_ca = value;
        else if (arg == "--parser" && (value == "json" || value == "msgpack"))
            o.parser = value == "msgpack" ? wire::format::msgpack : wire::format::json;
        else if (arg == "--transport" && (value == "websocket" || value == "polling"))
            o.transport = value == "polling" ? transport_kind::polling : transport_kind::websocket;
        else if (arg == "--scenario") {
            o.scenario = parse_scenario(value);
            have_scenario = true;
        } else if (arg == "--threads")
            o.threads = parse_number<unsigned>(value, arg);
        else if (arg == "--sources")
            o.sources = parse_number<unsigned>(value, arg);
        else if (arg == "--server-pid")
            o.server_pids.push_back(parse_number<int>(value, arg));
        else if (arg == "--handshake-timeout")
            o.handshake_timeout = parse_seconds(value, arg);
        else if (arg == "--drain")
            o.drain = parse_seconds(value, arg);
        else if (arg == "--ramp-timeout")
            o.ramp_timeout = parse_seconds(value, arg);
        else if (arg == "--connections")
            o.connections = parse_number<std::uint64_t>(value, arg);
        else if (arg == "--rate")
            o.rate = parse_number<double>(value, arg);
        else if (arg == "--concurrency")
            o.concurrency = parse_number<unsigned>(value, arg);
        else if (arg == "--hold")
            o.hold = parse_seconds(value, arg);
        else if (arg == "--clients")
            o.clients = parse_number<std::uint64_t>(value, arg);
        else if (arg == "--payload")
            o.payload = parse_number<std::size_t>(value, arg);
        else if (arg == "--payload-text" && (value == "x" || value == "json"))
            o.json_payload = value == "json";
        else if (arg == "--compression" && (value == "on" || value == "off"))
            o.compression = value == "on";
        else if (arg == "--duration")
            o.duration = parse_seconds(value, arg);
        else if (arg == "--max-acks")
            o.max_acks = parse_number<std::uint64_t>(value, arg);
        else if (arg == "--max-broadcasts")
            o.max_broadcasts = parse_number<std::uint64_t>(value, arg);
        else if (arg == "--interval-ms")
            o.interval = std::chrono::milliseconds(parse_number<unsigned>(value, arg));
        else if (arg == "--in-flight")
            o.in_flight = parse_number<unsigned>(value, arg);
        else if (arg == "--max-cycles")
            o.max_cycles = parse_number<std::uint64_t>(value, arg);
        else if (arg == "--settle")
            o.settle = parse_seconds(value, arg);
        else if (arg == "--warmup")
            o.warmup = parse_seconds(value, arg);
        else
            usage_error("unknown option " + std::string(arg));
    }
    if (o.urls.empty())
        usage_error("--url is required");
    if (!have_scenario)
        usage_error("--scenario is required");
    if (o.scenario == scenario_kind::cluster_fanout ? o.urls.size() < 2 : o.urls.size() > 1)
        usage_error(o.scenario == scenario_kind::cluster_fanout ? "cluster-fanout needs --url once per server, two or more"
                                                                  : "only cluster-fanout takes several --url");
    if (o.server_pids.size() > o.urls.size())
        usage_error("more --server-pid than --url");
    if (o.threads < 1 || o.threads > 64)
        usage_error("--threads must be between 1 and 64");
    if (o.sources > 254)
        usage_error("--sources must be at most 254");
    if (o.effective_concurrency() < 1)
        usage_error("--concurrency must be at least 1");
    if (!(o.rate >= 0) || !std::isfinite(o.rate))
        usage_error("--rate must be a finite number >= 0");
    if (o.payload > 1'000'000)
        usage_error("--payload must be at most 1000000 bytes");
    if (o.max_broadcasts > 100'000'000)
        usage_error("--max-broadcasts must be at most 100000000");
    if (o.interval && o.interval->count() == 0)
        usage_error("--interval-ms must be at least 1");
    if (o.in_flight < 1 || o.in_flight > 1000)
        usage_error("--in-flight must be between 1 and 1000");
    // The attachment starts with a 16-byte stamp (the client and the ack id).
    if (o.scenario == scenario_kind::binary_echo && o.payload < 16)
        usage_error("binary-echo needs --payload 16 or more");
    // Attachments as separate binary messages are the default parser's form.
    if (o.scenario == scenario_kind::binary_echo && o.parser != wire::format::json)
        usage_error("binary-echo speaks the default parser only (--parser json)");
    return o;
}

} // namespace loadgen
