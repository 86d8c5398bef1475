#include "target.hpp"

#include <boost/url/parse.hpp>

namespace loadgen {

namespace net = boost::asio;

std::optional<net::ip::address> target::source_for(std::uint64_t index) const
{
    if (sources.empty())
        return std::nullopt;
    return sources[index % sources.size()];
}

std::variant<target, std::string> make_target(std::string_view url, unsigned sources, const std::string& tls_ca)
{
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        return "bad --url: " + parsed.error().message();
    auto u = *parsed;
    // The URL names the server, not the transport: http:// is ws://.
    const bool tls = u.scheme() == "wss" || u.scheme() == "https";
    if (u.scheme() != "ws" && u.scheme() != "http" && !tls)
        return std::string("bad --url: only ws://, wss://, http:// and https:// are supported");

    std::string host = u.host_address();
    if (host == "localhost")
        host = "127.0.0.1";
    boost::system::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec)
        return "bad --url: the host must be an IP address or localhost, not " + host;
    std::uint16_t port = u.has_port() ? u.port_number() : (tls ? 443 : 80);
    if (port == 0)
        return std::string("bad --url: port 0");

    target t;
    t.endpoint = {address, port};
    t.host = std::string(u.encoded_host_and_port());
    t.host_name = u.host_address();
    if (tls) {
        t.tls = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
        t.tls->set_options(net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
        if (!tls_ca.empty()) {
            boost::system::error_code ca_ec;
            t.tls->load_verify_file(tls_ca, ca_ec);
            if (ca_ec)
                return "cannot use --tls-ca " + tls_ca + ": " + ca_ec.message();
            t.tls->set_verify_mode(net::ssl::verify_peer);
            t.verify = true;
        }
    }
    std::string path = u.encoded_path().empty() ? std::string("/socket.io/") : std::string(u.encoded_path());
    t.resource = path + "?";
    if (u.has_query() && !u.encoded_query().empty())
        t.resource += std::string(u.encoded_query()) + "&";
    t.polling_resource = t.resource + "EIO=4&transport=polling";
    t.resource += "EIO=4&transport=websocket";

    // Every 127.0.0.0/8 address reaches the loopback interface, and each has
    // its own ephemeral port range.
    if (address.is_v4() && address.is_loopback())
        for (unsigned i = 1; i <= sources; ++i)
            t.sources.push_back(net::ip::make_address_v4((127u << 24) | i));
    return t;
}

} // namespace loadgen
