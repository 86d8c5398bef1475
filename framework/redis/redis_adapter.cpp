#include "redis_adapter.hpp"

namespace corio::redis::detail {

void redis_adapter::attach(std::shared_ptr<cluster_link> link)
{
    link_ = std::move(link);
    streams_ = std::dynamic_pointer_cast<streams_link>(link_);
    link_->attach();
}

redis_adapter::~redis_adapter()
{
    link_->detach();
}

void redis_adapter::broadcast(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    // An event that carries an offset waits for the stream to give it one.
    const bool carries_offset = streams_ && !opts.local && !opts.is_volatile && !packet.id &&
                                local().recovery().enabled && packet.data && packet.data->is_array();
    if (carries_offset) {
        streams_->broadcast_with_offset(packet, opts);
        return;
    }
    broadcast_local(packet, opts);
    // An emit to sockets of this server only (with recovery on, every
    // socket's own emit is one) need not go to the others.
    if (!opts.local && !targets_local_sockets_only(opts))
        link_->broadcast(packet, opts);
}

void redis_adapter::broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                       std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink)
{
    auto asked = broadcast_with_ack_local(packet, opts, timeout, [sink](socket_ack_result r) {
        if (r)
            sink->answer(std::move(*r));
    });
    sink->server_sent(asked);
    if (opts.local) {
        sink->expect_servers(1);
        return;
    }
    link_->broadcast_with_ack(packet, opts, timeout, std::move(sink));
}

void redis_adapter::fetch_sockets(const broadcast_options& opts,
                                  std::shared_ptr<reply_sink<std::vector<socket_info>>> sink)
{
    auto local = fetch_local(opts);
    if (opts.local) {
        sink->expect(1);
        sink->reply(std::move(local));
        return;
    }
    link_->fetch(opts, std::move(local), std::move(sink));
}

void redis_adapter::add_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                                adapter_completion done)
{
    add_sockets_local(opts, rooms);
    link_->publish_operation(remote_operation::join, opts, rooms, false, std::move(done));
}

void redis_adapter::del_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                                adapter_completion done)
{
    del_sockets_local(opts, rooms);
    link_->publish_operation(remote_operation::leave, opts, rooms, false, std::move(done));
}

void redis_adapter::disconnect_sockets(const broadcast_options& opts, bool close_connection,
                                       adapter_completion done)
{
    disconnect_local(opts, close_connection);
    link_->publish_operation(remote_operation::disconnect, opts, {}, close_connection, std::move(done));
}

void redis_adapter::server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink)
{
    link_->server_side_emit(args, std::move(sink));
}

void redis_adapter::persist_session(persisted_session s)
{
    if (streams_)
        streams_->persist_session(s, local().recovery().max_disconnection_duration);
}

void redis_adapter::restore_session(std::string pid, std::string offset,
                                    std::function<void(std::optional<restored_session>)> done)
{
    if (streams_)
        streams_->restore_session(std::move(pid), std::move(offset), std::move(done));
    else
        adapter::restore_session(std::move(pid), std::move(offset), std::move(done));
}

void redis_adapter::room_created(const std::string& room, bool socket_room)
{
    // Rooms are created from add_socket on, after attach().
    link_->room_created(room, socket_room);
}

void redis_adapter::room_deleted(const std::string& room, bool socket_room)
{
    link_->room_deleted(room, socket_room);
}

} // namespace corio::redis::detail
