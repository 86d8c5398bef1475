#pragma once
// A namespace's link on the Redis Streams protocol (Node's
// @socket.io/redis-streams-adapter 0.3): socket.io-adapter's ClusterAdapter
// messages, as sharded_link's, but broadcasts and remote join, leave and
// disconnect are entries of a stream that every server reads, whose entry
// ids are the recovery offsets; requests (fetch, server-side emit, broadcast
// with acks) and responses go by PUBLISH in msgpack; sessions are kept in
// Redis keys, so a client may recover on any server.

#include "sharded_link.hpp"
#include "streams_wire.hpp"

#include <corio/state_recovery.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace corio::redis::detail {

class streams_link final : public sharded_link {
public:
    streams_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner);

    void attach() override;

    /// An entry of the stream that another server added (the hub's reader).
    void on_stream_entry(streams_wire::entry e);

    void broadcast(const protocol::socket_packet& packet, const broadcast_options& opts) override;

    /// Adds the event to the stream, then delivers it to this server's
    /// sockets with the entry id appended as its offset (without one when
    /// Redis is away): the offset exists only once Redis gave it.
    void broadcast_with_offset(const protocol::socket_packet& packet, const broadcast_options& opts);
    /// Keeps `s` in Redis for `ttl` (SET ... PX).
    void persist_session(const persisted_session& s, std::chrono::milliseconds ttl);
    /// Takes the session of `pid` out of Redis and reads the namespace's
    /// events after `offset` that reach its rooms; nullopt when the session
    /// or the entry at `offset` is gone, or Redis is away.
    void restore_session(std::string pid, std::string offset,
                         std::function<void(std::optional<restored_session>)> done);

private:
    void unsubscribe_all() override;
    /// Through the stream.
    void send_operation(sharded_wire::message_type type, boost::json::object data, adapter_completion done) override;
    /// Always msgpack, as Node's streams adapter decodes nothing else there.
    std::string encode(sharded_wire::message_type type, boost::json::object data,
                       const std::vector<std::string>& attachments = {}) const override;

    /// The stream entry of a broadcast without acks.
    std::vector<std::string> broadcast_entry(const protocol::socket_packet& packet,
                                             const broadcast_options& opts) const;

    struct restore_state;
    /// Reads the next page of entries after state->from.
    void read_missed(std::shared_ptr<restore_state> state);
    /// Adds stream entry `e` to state.missed if it is an event of this
    /// namespace that reached the session's rooms.
    void keep_if_missed(restore_state& state, const reply& e) const;
};

} // namespace corio::redis::detail
