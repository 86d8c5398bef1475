#include <corio/app.hpp>

#include <corio/serve.hpp>

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

namespace corio {

namespace {

template <class T> T parse_number(std::string_view option, std::string_view text, T most)
{
    unsigned long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > most)
        throw std::invalid_argument(std::string(option) + " takes a number from 0 to " + std::to_string(most) +
                                    ", not \"" + std::string(text) + "\"");
    return static_cast<T>(value);
}

std::string program_name(int argc, const char* const* argv)
{
    if (argc < 1 || argv[0] == nullptr || *argv[0] == '\0')
        return "corio";
    std::string_view path = argv[0];
    return std::string(path.substr(path.find_last_of('/') + 1));
}

std::string usage(const std::string& program)
{
    return "usage: " + program + " [--host ADDR] [--port N] [--threads N]\n"
           "  --host ADDR  where to listen (default localhost: 127.0.0.1 and ::1)\n"
           "  --port N     the port (default 8080; 0 picks a free one)\n"
           "  --threads N  threads that serve (default: one per core)\n";
}

} // namespace

run_options parse_command_line(int argc, const char* const* argv, run_options defaults)
{
    for (int i = 1; i < argc; ++i) {
        std::string_view option = argv[i];
        if (option != "--host" && option != "--port" && option != "--threads")
            throw std::invalid_argument("unknown option \"" + std::string(option) + "\"");
        if (i + 1 == argc)
            throw std::invalid_argument(std::string(option) + " needs a value");
        std::string_view value = argv[++i];
        if (option == "--host")
            defaults.host = value;
        else if (option == "--port")
            defaults.port = parse_number<std::uint16_t>(option, value, std::numeric_limits<std::uint16_t>::max());
        else
            // Far more threads than cores only costs memory; a typo such as
            // 80000 is refused rather than obeyed.
            defaults.threads = parse_number<unsigned>(option, value, 1024);
    }
    return defaults;
}

server_options app::default_options()
{
    server_options options;
    // A page served from anywhere (a file, another dev server) may connect;
    // without credentials, so no cookie of the user's rides along.
    options.engine.cors.allowed_origins = {"*"};
    return options;
}

app::app(server_options options, engine::listener_options listen)
    : io_(ioc_.get_executor(), std::move(options)), listener_(ioc_, std::move(listen))
{
    listener_.add(io_.engine());
}

app::~app() = default;

int app::run(run_options opts)
{
    if (ran_)
        throw std::logic_error("corio::app::run was called twice: the io_context stays stopped after the first");
    ran_ = true;

    serve_options serving;
    serving.host = opts.host;
    serving.port = opts.port;
    serving.threads = opts.threads != 0 ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
    serving.drain_deadline = opts.drain_deadline;
    serving.stop = opts.stop;
    serving.on_listening = std::move(opts.on_listening);
    if (!serving.on_listening) {
        serving.on_listening = [this, host = opts.host](std::uint16_t port) {
            // An IPv6 address is bracketed in a URL.
            auto shown = host.find(':') == std::string::npos ? host : "[" + host + "]";
            std::cout << "listening on " << (listener_.tls() ? "https" : "http") << "://" << shown << ":" << port
                      << io_.options().engine.path << std::endl;
        };
    }
    try {
        serve(ioc_, listener_, io_, std::move(serving));
    } catch (const boost::system::system_error& e) {
        // serve throws only before it listened: "cannot listen on ...".
        std::cerr << e.what() << std::endl;
        return 1;
    }
    return 0;
}

int app::run(int argc, const char* const* argv, run_options defaults)
{
    auto program = program_name(argc, argv);
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--help") {
            std::cout << usage(program);
            return 0;
        }
    }
    run_options opts;
    try {
        opts = parse_command_line(argc, argv, std::move(defaults));
    } catch (const std::invalid_argument& e) {
        std::cerr << program << ": " << e.what() << "\n" << usage(program);
        return 2;
    }
    return run(std::move(opts));
}

} // namespace corio
