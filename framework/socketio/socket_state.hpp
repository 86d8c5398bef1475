#pragma once
// One socket (a client in a namespace). Its mutable state belongs to the
// strand of its Engine.IO session; the members marked "any thread" are safe
// elsewhere. It is what the namespace's adapter knows as a local_socket.

#include <corio/adapter.hpp>
#include <corio/arguments.hpp>
#include <corio/context.hpp>
#include <corio/disconnect_reason.hpp>
#include <corio/engine/session.hpp>
#include <corio/handlers.hpp>
#include <corio/log.hpp>
#include <corio/handshake.hpp>
#include <corio/socket_ref.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace corio::detail {

class namespace_state;
class client_state;

class socket_state final : public local_socket, public std::enable_shared_from_this<socket_state> {
public:
    /// `nsp` counts the socket as a user (namespace_registry::acquire_for_connect)
    /// until it is refused or has left.
    socket_state(std::shared_ptr<namespace_state> nsp, std::shared_ptr<client_state> client,
                 std::shared_ptr<engine::session> session, std::string id, handshake hs);
    ~socket_state() override;

    // Any thread ---------------------------------------------------------------
    const std::string& id() const noexcept override { return id_; }
    namespace_state& nsp() const noexcept { return *nsp_; }
    const handshake& get_handshake() const noexcept { return handshake_; }
    engine::session& session() const noexcept { return *session_; }
    bool connected() const noexcept override { return connected_.load(std::memory_order_acquire); }
    /// Restored by connection state recovery. Set before the socket is
    /// known to anyone but its client, fixed after.
    bool recovered() const noexcept { return recovered_; }

    /// Sends an encoded packet; before the socket is connected it waits, and
    /// after it disconnected it is dropped. A volatile one is sent only if
    /// the session's transport is writable now (as socket.io), else dropped
    /// and counted in server_stats::volatile_dropped; so is one sent while
    /// the socket is connecting.
    void emit_packet(const protocol::socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                     bool is_volatile);
    /// emit_packet for an adapter's broadcast, counted in
    /// server_stats::broadcast_deliveries.
    void deliver(const protocol::socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                 bool is_volatile) override;
    /// Counted in server_stats::broadcast_deliveries too.
    void deliver_with_ack(const protocol::socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                          std::chrono::milliseconds timeout, std::function<void(socket_ack_result)> done) override;
    void disconnect(bool close_connection) override;
    socket_info describe() const override;
    /// Disconnects on the strand.
    void request_disconnect(disconnect_reason reason, bool notify_client);

    /// What fetch_sockets reports as this socket's data (socket.io's socket.data).
    boost::json::value shared_data() const;
    void set_shared_data(boost::json::value data);

    // Strand only ----------------------------------------------------------------
    /// Runs the middlewares and the connect handler; answers CONNECT or
    /// CONNECT_ERROR.
    boost::asio::awaitable<void> run_connect();
    void on_event(std::string event, arguments&& args, std::optional<std::uint64_t> ack_id);
    void on_ack(std::uint64_t id, arguments args);
    void disconnect_now(disconnect_reason reason, bool notify_client);

    /// Sends `event(args)` asking for an ack; `done` gets the answer (or
    /// ack_timeout / socket_disconnected), on the strand.
    void emit_with_ack(std::string_view event, arguments args, std::chrono::milliseconds timeout,
                       std::function<void(socket_ack_result)> done);
    void send_ack(std::uint64_t id, arguments&& args);

    std::shared_ptr<void>& data_slot(const void* key) { return more().data[key]; }

private:
    /// A record naming this socket: sid, socket, nsp, remote. Never the
    /// handshake's auth, headers or query (they may hold secrets).
    log_record record(log_level level, std::string_view message) const noexcept;
    struct queued_event {
        std::string event;
        arguments args;
        std::optional<std::uint64_t> ack_id;
    };
    struct ack_waiter {
        explicit ack_waiter(const engine::session::executor_type& ex) : timer(ex) {}
        boost::asio::steady_timer timer;
        std::function<void(socket_ack_result)> done;
        std::chrono::steady_clock::time_point sent = std::chrono::steady_clock::now();
    };

    /// Queues an encoded packet on the strand (deliver's second half).
    void deliver_encoded(protocol::encoded_socket_packet packet, bool is_volatile);
    void notify_outgoing(const protocol::socket_packet& packet);
    void send_now(const protocol::encoded_socket_packet& packet);
    /// Sends, or holds until the socket is connected.
    void send_or_hold(const protocol::encoded_socket_packet& packet);
    /// Whether another ack may be awaited (socket_limits::max_pending_acks);
    /// counts and logs a refusal.
    bool ack_room_left();
    void expect_ack(std::uint64_t id, std::chrono::milliseconds timeout, std::function<void(socket_ack_result)> done);
    void start_handler(boost::asio::awaitable<void> work);
    bool queue_empty() const noexcept { return queue_head_ == queue_.size(); }
    queued_event pop_event();
    /// Starts handler slots for the queued events, up to the namespace's
    /// concurrency (one for a sequential namespace).
    void start_draining();
    std::size_t slot_limit() const noexcept;
    /// Takes a token from the event's bucket; false when it is empty.
    bool take_token(const std::string& event);
    /// The socket is done with its namespace (refused or left); once only.
    void release_namespace();
    /// A handler threw: count it, then the error hook, else the log. Called
    /// from inside the catch block (the hook gets the current exception).
    void report_failure(context& ctx, std::string_view what);
    /// One handler slot: runs `first`, then queued events while there are.
    boost::asio::awaitable<void> drain_queue(queued_event first);
    boost::asio::awaitable<void> run_event(queued_event ev);
    /// The synchronous handler of `event` when it may run at once, in
    /// on_event: connected, nothing queued or running (so order holds), no
    /// catch-all handler; else null.
    const sync_event_handler* runnable_now(const std::string& event) const;
    /// Runs `handler` to its end, as run_event does a coroutine handler.
    void run_now(const sync_event_handler& handler, std::string event, arguments&& args,
                 std::optional<std::uint64_t> ack_id);
    /// Runs the namespace's disconnect handler (there is one), then
    /// leave_namespace.
    boost::asio::awaitable<void> run_disconnect(disconnect_reason reason);
    /// Out of the adapter and the namespace, the session persisted for
    /// recovery when it is to be; after the disconnect handler, if any.
    void leave_namespace();
    /// With recovery on: the session the CONNECT's auth names with `pid`
    /// and `offset`, from the adapter; std::nullopt when it names none or
    /// it cannot be restored (counted either way when named).
    boost::asio::awaitable<std::optional<restored_session>> try_restore();
    /// Takes the restored session's id, pid and data; before the socket is
    /// in its namespace.
    void adopt(persisted_session session);
    /// The CONNECT answer, encoded: the sid, and the pid with recovery on.
    protocol::encoded_socket_packet connect_answer() const;

    std::shared_ptr<namespace_state> nsp_;
    // The client owns its sockets; a socket only tells it when it leaves.
    std::weak_ptr<client_state> client_;
    std::shared_ptr<engine::session> session_;
    std::string id_; // changed only by adopt, before any other thread sees it
    handshake handshake_;
    bool recovered_ = false;
    std::atomic<bool> connected_ = false;
    mutable std::mutex shared_data_mutex_;
    boost::json::value shared_data_;

    // Strand only.
    enum class phase { connecting, connected, disconnected } phase_ = phase::connecting;
    std::vector<protocol::encoded_socket_packet> before_connect_;
    // Events waiting for the handler before them, from queue_head_ on. A
    // vector, not a std::deque, which allocates even while empty.
    std::vector<queued_event> queue_;
    std::size_t queue_head_ = 0;
    std::size_t busy_slots_ = 0;
    struct bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point updated;
        bool started = false;
    };
    bucket events_bucket_;
    bool holds_nsp_ = true;
    // Connection state recovery's private id.
    std::string pid_;
    std::list<boost::asio::cancellation_signal> running_;
    std::uint64_t next_ack_id_ = 0;
    // What many sockets never use, made on first use (more()): an idle
    // socket is one of thousands, and these empty members came to a
    // third of its size.
    struct extras {
        std::unordered_map<std::string, bucket> event_buckets; // socket_limits::event_rates
        std::unordered_map<std::uint64_t, std::shared_ptr<ack_waiter>> acks;
        std::unordered_map<const void*, std::shared_ptr<void>> data;
        // The session to keep once the socket has left (persisted after its
        // disconnect handler, so a restore never meets the old socket still
        // in its rooms).
        std::optional<persisted_session> to_persist;
    };
    extras& more();
    std::unique_ptr<extras> extras_;
};

} // namespace corio::detail
