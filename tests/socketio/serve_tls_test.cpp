// corio::serve with a TLS listener: SIGHUP reloads the certificate, new
// connections get the new one, and a reload that fails keeps the old one
// and says why.

#include <corio/serve.hpp>

#include <corio/engine/listener.hpp>
#include <corio/server.hpp>

#include "../engine/test_certificates.hpp"
#include "../engine/tls_client.hpp"

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <csignal>
#include <exception>
#include <fstream>
#include <future>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace {

using namespace corio_test;

/// corio::serve on its own thread, over a listener with `tls`; records what
/// each reload reported.
class served_tls_app {
public:
    explicit served_tls_app(const corio::engine::tls_options& tls) : listener_(ioc_, with_tls(tls))
    {
        listener_.add(io_.engine());
        std::promise<std::uint16_t> listening;
        auto port = listening.get_future();
        corio::serve_options opts{.host = "127.0.0.1",
                                  .port = 0,
                                  .threads = 2,
                                  .on_listening = [&listening](std::uint16_t p) { listening.set_value(p); },
                                  .signals = {},
                                  .reload_signals = {SIGHUP},
                                  .on_reload = [this](std::exception_ptr e) { reloaded(e); },
                                  .stop = stop_.get_token()};
        thread_ = std::thread([this, opts = std::move(opts)] { corio::serve(ioc_, listener_, io_, opts); });
        if (port.wait_for(io_limit) != std::future_status::ready)
            throw std::runtime_error("serve did not listen");
        port_ = port.get();
    }
    ~served_tls_app()
    {
        stop_.request_stop();
        thread_.join();
    }

    std::uint16_t port() const { return port_; }

    /// What the `n`-th reload reported (null: success), waiting up to
    /// io_limit for it; throws if it did not come.
    std::exception_ptr reload_report(std::size_t n)
    {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, io_limit, [&] { return reports_.size() >= n; }))
            throw std::runtime_error("no reload reported");
        return reports_[n - 1];
    }

private:
    static corio::engine::listener_options with_tls(const corio::engine::tls_options& tls)
    {
        corio::engine::listener_options lo;
        lo.tls = tls;
        return lo;
    }
    void reloaded(std::exception_ptr e)
    {
        std::lock_guard lock(mutex_);
        reports_.push_back(e);
        changed_.notify_all();
    }

    net::io_context ioc_{2};
    corio::server io_{ioc_.get_executor()};
    corio::engine::listener listener_;
    std::stop_source stop_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::exception_ptr> reports_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(serve_tls)

BOOST_AUTO_TEST_CASE(sighup_reloads_the_certificate)
{
    test_ca ca;
    auto tls = ca.issue("server", "first");
    served_tls_app app(tls);
    tls_connection before(app.port(), ca.ca_file());
    BOOST_TEST(before.peer_common_name() == "first");

    ca.issue("server", "second");
    std::raise(SIGHUP);
    BOOST_TEST(!app.reload_report(1));
    tls_connection after(app.port(), ca.ca_file());
    BOOST_TEST(after.peer_common_name() == "second");
    // The connection made before still works, on its own certificate.
    BOOST_TEST(before.request(http::verb::get, "/socket.io/?EIO=4&transport=polling").result_int() == 200);

    {
        std::ofstream broken(tls.certificate_chain_file, std::ios::trunc);
        broken << "not a certificate\n";
    }
    std::raise(SIGHUP);
    auto failure = app.reload_report(2);
    BOOST_TEST_REQUIRE(static_cast<bool>(failure));
    try {
        std::rethrow_exception(failure);
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(std::string(e.what()).find(tls.certificate_chain_file) != std::string::npos, e.what());
    }
    tls_connection still(app.port(), ca.ca_file());
    BOOST_TEST(still.peer_common_name() == "second");
}

BOOST_AUTO_TEST_SUITE_END()
