#pragma once
// One Engine.IO session seen from the Socket.IO layer: reassembles packets
// and holds the session's sockets, one per namespace. Strand only.

#include <corio/disconnect_reason.hpp>
#include <corio/engine/handler.hpp>
#include <corio/engine/session.hpp>
#include <corio/protocol/socket_packet.hpp>

#include "socketio/namespace_registry.hpp"
#include "socketio/server_context.hpp"
#include "socketio/socket_state.hpp"

#include <boost/asio/basic_waitable_timer.hpp>

#include <chrono>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace corio::detail {

/// The session handler server_state::on_open returns: the engine holds it
/// until after on_close.
class client_state : public engine::session_handler, public std::enable_shared_from_this<client_state> {
public:
    client_state(std::shared_ptr<server_context> context, std::shared_ptr<namespace_registry> namespaces,
                 std::shared_ptr<engine::session> session);

    void start();
    void on_message(protocol::packet&& message) override;
    void on_close(engine::close_reason reason) override;

    /// A socket finished connecting or failed: the namespace slot is freed
    /// on failure.
    void forget(const std::string& nsp, const socket_state* s);
    bool closed() const noexcept { return closed_; }
    /// Closes the connection because the client crossed a limit: its sockets
    /// see `why` (rather than what the engine's `reason` maps to).
    void close_for(disconnect_reason why, engine::close_reason reason);
    void socket_connected()
    {
        ever_connected_ = true;
        connect_timer_.reset(); // its wait ends, cancelled
    }

private:
    void on_packet(protocol::socket_packet&& p);
    void connect(protocol::socket_packet&& p);
    void refuse(const std::string& nsp, boost::json::value data);
    void fail(engine::close_reason reason);
    /// Arms the attachment timeout for the packet the decoder now awaits
    /// attachments for, or disarms it once none is awaited.
    void watch_attachments();

    std::shared_ptr<server_context> context_;
    std::shared_ptr<namespace_registry> namespaces_;
    std::shared_ptr<engine::session> session_;
    // Only while a packet awaits its attachments: the decoder keeps no
    // state between packets otherwise, and on_message decodes with one of
    // its own, so that an idle connection holds none.
    std::unique_ptr<protocol::socket_packet_decoder> decoder_;
    std::map<std::string, std::shared_ptr<socket_state>> sockets_;
    // On the session's strand's own executor type: smaller than a
    // steady_timer's any_io_executor. Each is made when it is first needed,
    // and the connect timeout's is let go once a socket connected, so that
    // an idle connection holds neither.
    using timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                    boost::asio::wait_traits<std::chrono::steady_clock>,
                                                    engine::session::executor_type>;
    std::unique_ptr<timer> connect_timer_;
    std::unique_ptr<timer> attachment_timer_;
    // Which awaited packet the armed attachment timer is for: a timer that
    // fires for an earlier one (its cancel came too late) does nothing.
    std::uint64_t attachment_packet_ = 0;
    bool attachment_timer_armed_ = false;
    std::optional<disconnect_reason> close_why_;
    bool closed_ = false;
    bool ever_connected_ = false;
    // The connect timeout passed while a CONNECT was still being decided.
    bool connect_deadline_passed_ = false;
};

} // namespace corio::detail
