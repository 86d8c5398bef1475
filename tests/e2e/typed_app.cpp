// A Socket.IO server (at /socket.io/) whose handlers take described structs with std::optional
// members, for typed_handlers.test.mjs: what the official JavaScript client sends when it
// leaves fields out (JSON.stringify drops undefined ones) must reach the handler as
// std::nullopt. Each handler acks with what it received, so the test sees the conversion.
//
// typed_app --host 127.0.0.1 --port 0 prints `listening on <host>:<port>` once it accepts.

#include <corio/engine/listener.hpp>
#include <corio/serve.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/describe/class.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace typed_app {

struct profile {
    std::string name;
    std::optional<int> age;
    std::optional<std::vector<std::string>> tags;
};
BOOST_DESCRIBE_STRUCT(profile, (), (name, age, tags))

struct team {
    std::string title;
    std::vector<profile> members;
    std::optional<profile> captain;
};
BOOST_DESCRIBE_STRUCT(team, (), (title, members, captain))

} // namespace typed_app

int main(int argc, char** argv)
{
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--host")
            host = argv[i + 1];
        else if (flag == "--port")
            port = static_cast<std::uint16_t>(std::stoul(argv[i + 1]));
    }

    boost::asio::io_context ioc;
    corio::server io(ioc.get_executor());
    io.of("/").on("profile", [](corio::context&, typed_app::profile p) { return p; });
    io.of("/").on("team", [](corio::context&, typed_app::team t) { return t; });

    corio::engine::listener listener(ioc);
    listener.add(io.engine());
    corio::serve(ioc, listener, io,
                 {.host = host, .port = port, .on_listening = [&host](std::uint16_t bound) {
                      std::cout << "listening on " << host << ":" << bound << std::endl;
                  }});
}
