#pragma once
// An adapter that joins several corio::servers of one process into a
// cluster, with no Redis: the first proof that the adapter seam spans
// servers. Every message to another server goes through the test's
// io_context (posted), as a network would deliver it later; a server can be
// "cut off", after which it neither hears nor answers.

#include <corio/memory_adapter.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace corio_test {

class in_process_cluster;

/// One namespace's adapter on one server of an in_process_cluster.
class cluster_adapter final : public corio::memory_adapter {
public:
    cluster_adapter(corio::local_namespace& nsp, std::shared_ptr<in_process_cluster> cluster, int server);
    ~cluster_adapter() override;

    void broadcast(const corio::protocol::socket_packet& packet, const corio::broadcast_options& opts) override;
    void broadcast_with_ack(const corio::protocol::socket_packet& packet, const corio::broadcast_options& opts,
                            std::chrono::milliseconds timeout,
                            std::shared_ptr<corio::broadcast_ack_sink> sink) override;
    void fetch_sockets(const corio::broadcast_options& opts,
                       std::shared_ptr<corio::reply_sink<std::vector<corio::socket_info>>> sink) override;
    void add_sockets(const corio::broadcast_options& opts, std::vector<std::string> rooms,
                     corio::adapter_completion done) override;
    void del_sockets(const corio::broadcast_options& opts, std::vector<std::string> rooms,
                     corio::adapter_completion done) override;
    void disconnect_sockets(const corio::broadcast_options& opts, bool close_connection,
                            corio::adapter_completion done) override;
    void server_side_emit(const corio::arguments& args,
                          std::shared_ptr<corio::reply_sink<corio::arguments>> sink) override;

private:
    /// The adapters of the same namespace on the other servers that hear.
    std::vector<cluster_adapter*> peers() const;
    /// Applies `op` here at once and on every peer later, then calls `done`.
    template <class Op>
    void everywhere(const corio::broadcast_options& opts, Op op, corio::adapter_completion done);

    std::shared_ptr<in_process_cluster> cluster_;
    int server_;
};

/// The cluster's bus. Adapters register per namespace name; messages are
/// posted to `ioc` and delivered to the adapters registered then.
class in_process_cluster : public std::enable_shared_from_this<in_process_cluster> {
public:
    explicit in_process_cluster(boost::asio::io_context& ioc) : ioc_(ioc) {}

    /// The adapter factory for server number `server`.
    corio::adapter_factory factory_for(int server)
    {
        return [self = shared_from_this(), server](corio::local_namespace& nsp) {
            return std::make_unique<cluster_adapter>(nsp, self, server);
        };
    }

    /// A cut-off server neither hears the others nor answers them, as one
    /// whose link to the cluster is down; its requests fail at once.
    void cut_off(int server, bool cut)
    {
        std::lock_guard lock(mutex_);
        if (cut)
            cut_off_.push_back(server);
        else
            std::erase(cut_off_, server);
    }
    bool is_cut_off(int server) const
    {
        std::lock_guard lock(mutex_);
        return std::find(cut_off_.begin(), cut_off_.end(), server) != cut_off_.end();
    }

    /// How many servers a request from `server` should hear from (itself
    /// included): every registered one, as Redis's PUBSUB NUMSUB counts
    /// subscribers, whether they will answer or not.
    std::size_t server_count(const std::string& nsp) const
    {
        std::lock_guard lock(mutex_);
        auto it = adapters_.find(nsp);
        return it == adapters_.end() ? 0 : it->second.size();
    }

    template <class F>
    void later(F f)
    {
        boost::asio::post(ioc_, std::move(f));
    }

private:
    friend class cluster_adapter;

    mutable std::mutex mutex_;
    boost::asio::io_context& ioc_;
    std::map<std::string, std::vector<cluster_adapter*>> adapters_;
    std::vector<int> cut_off_;
};

inline cluster_adapter::cluster_adapter(corio::local_namespace& nsp, std::shared_ptr<in_process_cluster> cluster,
                                        int server)
    : memory_adapter(nsp), cluster_(std::move(cluster)), server_(server)
{
    std::lock_guard lock(cluster_->mutex_);
    cluster_->adapters_[nsp.name()].push_back(this);
}

inline cluster_adapter::~cluster_adapter()
{
    std::lock_guard lock(cluster_->mutex_);
    std::erase(cluster_->adapters_[local().name()], this);
}

inline std::vector<cluster_adapter*> cluster_adapter::peers() const
{
    std::vector<cluster_adapter*> out;
    std::lock_guard lock(cluster_->mutex_);
    for (auto* a : cluster_->adapters_[local().name()])
        if (a != this && std::find(cluster_->cut_off_.begin(), cluster_->cut_off_.end(), a->server_) ==
                             cluster_->cut_off_.end())
            out.push_back(a);
    return out;
}

template <class Op>
void cluster_adapter::everywhere(const corio::broadcast_options& opts, Op op, corio::adapter_completion done)
{
    op(*this);
    auto targets = opts.local || cluster_->is_cut_off(server_) ? std::vector<cluster_adapter*>{} : peers();
    auto remaining = std::make_shared<std::size_t>(targets.size());
    if (targets.empty() && done)
        done({});
    // Adapters outlive the test's io_context run, so peers stay valid here.
    for (auto* peer : targets)
        cluster_->later([peer, op, remaining, done] {
            op(*peer);
            if (--*remaining == 0 && done)
                done({});
        });
}

inline void cluster_adapter::broadcast(const corio::protocol::socket_packet& packet,
                                       const corio::broadcast_options& opts)
{
    everywhere(opts, [packet, opts](cluster_adapter& a) { a.broadcast_local(packet, opts); }, {});
}

inline void cluster_adapter::broadcast_with_ack(const corio::protocol::socket_packet& packet,
                                                const corio::broadcast_options& opts,
                                                std::chrono::milliseconds timeout,
                                                std::shared_ptr<corio::broadcast_ack_sink> sink)
{
    if (cluster_->is_cut_off(server_) && !opts.local) {
        sink->fail(make_error_code(corio::error::cluster_unavailable));
        return;
    }
    sink->expect_servers(opts.local ? 1 : cluster_->server_count(local().name()));
    auto ask = [packet, opts, timeout, sink](cluster_adapter& a) {
        sink->server_sent(a.broadcast_with_ack_local(packet, opts, timeout, [sink](corio::socket_ack_result r) {
            if (r)
                sink->answer(std::move(*r));
        }));
    };
    ask(*this);
    if (!opts.local)
        for (auto* peer : peers())
            cluster_->later([peer, ask] { ask(*peer); });
}

inline void cluster_adapter::fetch_sockets(const corio::broadcast_options& opts,
                                           std::shared_ptr<corio::reply_sink<std::vector<corio::socket_info>>> sink)
{
    if (cluster_->is_cut_off(server_) && !opts.local) {
        sink->fail(make_error_code(corio::error::cluster_unavailable));
        return;
    }
    sink->expect(opts.local ? 1 : cluster_->server_count(local().name()));
    sink->reply(fetch_local(opts));
    if (!opts.local)
        for (auto* peer : peers())
            cluster_->later([peer, opts, sink] { sink->reply(peer->fetch_local(opts)); });
}

inline void cluster_adapter::add_sockets(const corio::broadcast_options& opts, std::vector<std::string> rooms,
                                         corio::adapter_completion done)
{
    everywhere(opts, [opts, rooms](cluster_adapter& a) { a.add_sockets_local(opts, rooms); }, std::move(done));
}

inline void cluster_adapter::del_sockets(const corio::broadcast_options& opts, std::vector<std::string> rooms,
                                         corio::adapter_completion done)
{
    everywhere(opts, [opts, rooms](cluster_adapter& a) { a.del_sockets_local(opts, rooms); }, std::move(done));
}

inline void cluster_adapter::disconnect_sockets(const corio::broadcast_options& opts, bool close_connection,
                                                corio::adapter_completion done)
{
    everywhere(opts, [opts, close_connection](cluster_adapter& a) { a.disconnect_local(opts, close_connection); },
               std::move(done));
}

inline void cluster_adapter::server_side_emit(const corio::arguments& args,
                                              std::shared_ptr<corio::reply_sink<corio::arguments>> sink)
{
    if (cluster_->is_cut_off(server_)) {
        if (sink)
            sink->fail(make_error_code(corio::error::cluster_unavailable));
        return;
    }
    if (sink)
        sink->expect(cluster_->server_count(local().name()) - 1);
    for (auto* peer : peers())
        cluster_->later([peer, args, sink] {
            peer->local().on_server_event(args, sink != nullptr, [sink](corio::arguments reply) {
                if (sink)
                    sink->reply(std::move(reply));
            });
        });
}

} // namespace corio_test
