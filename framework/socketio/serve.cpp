#include <corio/serve.hpp>

#include <corio/engine/listener.hpp>
#include <corio/engine/run.hpp>
#include <corio/server.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <string>
#include <memory>
#include <utility>

namespace corio {

namespace {

namespace net = boost::asio;

/// The shutdown, begun once by a signal or the stop token. Everything but
/// io_context::stop runs on `strand` (a signal_set is not thread safe).
/// Handlers hold it by shared_ptr: one left pending when the threads stop
/// must not point at serve's frame should the io_context run again.
class shutdown_sequence : public std::enable_shared_from_this<shutdown_sequence> {
public:
    shutdown_sequence(net::io_context& ioc, engine::listener& listener, drain_function drain,
                      const serve_options& opts)
        : ioc_(ioc),
          strand_(net::make_strand(ioc)),
          signals_(strand_),
          reload_signals_(strand_),
          stop_timer_(strand_),
          listener_(listener),
          drain_(std::move(drain)),
          on_reload_(opts.on_reload),
          drain_deadline_(opts.drain_deadline),
          stop_deadline_(opts.stop_deadline)
    {
    }

    /// The certificate reload, when the listener serves TLS.
    void catch_reload_signals(const std::vector<int>& numbers)
    {
        if (!listener_.tls() || numbers.empty())
            return;
        for (int n : numbers)
            reload_signals_.add(n);
        wait_for_reload_signal();
    }

    void catch_signals(const std::vector<int>& numbers)
    {
        for (int n : numbers)
            signals_.add(n);
        if (!numbers.empty())
            wait_for_signal();
    }

    /// From any thread (the stop token's callback runs on the requester's).
    void request()
    {
        net::post(strand_, [self = shared_from_this()] { self->begin(); });
    }

    /// After the threads left the io_context: the signals get their default
    /// meaning back, and what the drain threw comes out of serve.
    void finish()
    {
        boost::system::error_code ignored;
        // Cancelled first: a wait left pending on a cleared signal_set is not
        // destroyed with the io_context, and it holds this sequence.
        signals_.cancel(ignored);
        reload_signals_.cancel(ignored);
        signals_.clear(ignored);
        reload_signals_.clear(ignored);
        stop_timer_.cancel();
        if (failure_)
            std::rethrow_exception(failure_);
    }

private:
    void wait_for_signal()
    {
        signals_.async_wait([self = shared_from_this()](boost::system::error_code ec, int) {
            if (!ec)
                self->on_signal();
        });
    }

    void wait_for_reload_signal()
    {
        reload_signals_.async_wait([self = shared_from_this()](boost::system::error_code ec, int) {
            if (ec)
                return;
            self->reload();
            self->wait_for_reload_signal();
        });
    }

    void reload()
    {
        std::exception_ptr error;
        try {
            listener_.reload_tls();
        } catch (...) {
            error = std::current_exception();
        }
        if (on_reload_) {
            on_reload_(error);
            return;
        }
        if (!error)
            return;
        std::string why = "unknown error";
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            why = e.what();
        } catch (...) {
        }
        listener_.log()({.level = log_level::error,
                         .message = "TLS certificate not reloaded, the old one stays",
                         .error = why});
    }

    void on_signal()
    {
        // A second Ctrl-C means "now".
        if (begun_) {
            ioc_.stop();
            return;
        }
        begin();
        wait_for_signal();
    }

    void begin()
    {
        if (begun_)
            return;
        begun_ = true;
        stop_timer_.expires_after(stop_deadline_);
        stop_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec)
                self->ioc_.stop();
        });
        if (!drain_) {
            end();
            return;
        }
        net::co_spawn(strand_, drain_(drain_deadline_),
                      net::bind_executor(strand_, [self = shared_from_this()](std::exception_ptr e) {
                          self->failure_ = e;
                          self->end();
                      }));
    }

    void end()
    {
        // The listener accepted until now: a long-polling client collects
        // its close packet with one more request, maybe on a new connection.
        // The servers refused new sessions meanwhile.
        listener_.stop();
        ioc_.stop();
    }

    net::io_context& ioc_;
    net::strand<net::io_context::executor_type> strand_;
    net::signal_set signals_;
    net::signal_set reload_signals_;
    net::steady_timer stop_timer_;
    engine::listener& listener_;
    drain_function drain_;
    std::function<void(std::exception_ptr)> on_reload_;
    std::chrono::milliseconds drain_deadline_;
    std::chrono::milliseconds stop_deadline_;
    bool begun_ = false;
    std::exception_ptr failure_; // written on the strand, read after the threads joined
};

std::string address_text(const std::string& host, std::uint16_t port)
{
    // An IPv6 address is bracketed, so that its port stands apart.
    auto shown = host.find(':') == std::string::npos ? host : "[" + host + "]";
    return shown + ":" + std::to_string(port);
}

} // namespace

void serve(boost::asio::io_context& ioc, engine::listener& listener, server& io, serve_options opts)
{
    // Not a coroutine: it hands back the one server::shutdown starts.
    serve(ioc, listener, [&io](std::chrono::milliseconds deadline) { return io.shutdown(deadline); },
          std::move(opts));
}

void serve(boost::asio::io_context& ioc, engine::listener& listener, drain_function drain, serve_options opts)
{
    try {
        listener.listen(opts.host, opts.port);
    } catch (const boost::system::system_error& e) {
        // The code without Asio's source location, which would only clutter
        // what() for the person reading it.
        boost::system::error_code code(e.code().value(), e.code().category());
        throw boost::system::system_error(code, "cannot listen on " + address_text(opts.host, opts.port));
    }
    auto sequence = std::make_shared<shutdown_sequence>(ioc, listener, std::move(drain), opts);
    sequence->catch_signals(opts.signals);
    sequence->catch_reload_signals(opts.reload_signals);
    std::stop_callback on_stop(opts.stop, [sequence] { sequence->request(); });
    // Once every thread is ready: descriptors counted from then on are the
    // connections'.
    engine::run(ioc, opts.threads, [&] {
        if (opts.on_listening)
            opts.on_listening(listener.port());
    });
    sequence->finish();
}

} // namespace corio
