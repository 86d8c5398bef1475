#include "play/redis_room_store.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <atomic>
#include <charconv>

// g++ 12 flags some coroutine frames with -Wmismatched-new-delete when it
// inlines their allocation (Asio allocates with aligned_alloc, frees with
// free through its own operator delete): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace corio_game {

namespace net = boost::asio;
namespace json = boost::json;
using corio::redis::reply;

namespace {

// Every script starts with these. ARGV[1] is always the key prefix; keys are
// computed (so the scripts need one Redis, not Redis Cluster). Time is
// Redis's own, in milliseconds, so every node compares deadlines on one clock.
constexpr const char* prelude = R"lua(
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ms(n) return string.format('%.0f', n) end
-- Quick match: takes `user` out of the queue they wait in, if any; true if they did.
local function unqueue(user)
  local pool = redis.call('HGET', P .. 'matching', user)
  if not pool then return false end
  redis.call('ZREM', P .. 'match:' .. pool, user)
  redis.call('HDEL', P .. 'matching', user)
  redis.call('HDEL', P .. 'match_names', user)
  return true
end
local function live_nodes(now)
  return redis.call('ZRANGEBYSCORE', P .. 'nodes', '(' .. ms(now), '+inf')
end
local function sockets_of(user, nodes)
  local n = 0
  for _, node in ipairs(nodes) do
    n = n + (tonumber(redis.call('HGET', P .. 'presence:' .. node, user)) or 0)
  end
  return n
end
local function online(nodes)
  local seen, count = {}, 0
  for _, node in ipairs(nodes) do
    for _, user in ipairs(redis.call('HKEYS', P .. 'presence:' .. node)) do
      if not seen[user] then
        seen[user] = true
        count = count + 1
      end
    end
  end
  return count
end
-- The lobby's list; drops what a room that expired left in it.
local function room_list()
  local all = redis.call('HGETALL', P .. 'rooms')
  local out = {}
  for k = 1, #all, 2 do
    if redis.call('EXISTS', P .. 'room:' .. all[k]) == 1 then
      out[#out + 1] = all[k + 1]
    else
      redis.call('HDEL', P .. 'rooms', all[k])
      redis.call('ZREM', P .. 'deadlines', all[k])
    end
  end
  return out
end
)lua";

// ARGV: prefix, 'code' or 'user', the code or user id.
// Returns {now} when there is no such room, else {now, version, json}.
constexpr const char* load_script = R"lua(
local now = now_ms()
local code = ARGV[3]
if ARGV[2] == 'user' then
  code = redis.call('GET', P .. 'user:' .. ARGV[3])
  if not code then return {now} end
end
local room = redis.call('HMGET', P .. 'room:' .. code, 'v', 'data')
if not room[1] then return {now} end
return {now, tonumber(room[1]), room[2]}
)lua";

// ARGV: prefix, code, expected version, the room's json ('' closes it), its
// summary, its earliest deadline ('' for none), max rooms (for a new one),
// ttl in ms, want list ('1'/'0'), then four lists, each its length then its
// user ids: enter, leave, absent, members (whose membership is refreshed).
// Returns {status} or {'done', version[, list]}.
constexpr const char* commit_script = R"lua(
local code = ARGV[2]
local expected = tonumber(ARGV[3])
local room_key = P .. 'room:' .. code
local current = tonumber(redis.call('HGET', room_key, 'v') or '0')
if current ~= expected then return {'conflict'} end
local i = 10
local function ids()
  local n = tonumber(ARGV[i])
  local out = {}
  for k = 1, n do out[k] = ARGV[i + k] end
  i = i + n + 1
  return out
end
local enter, leave, absent, members = ids(), ids(), ids(), ids()
if expected == 0 then
  local max = tonumber(ARGV[7])
  if max > 0 and redis.call('HLEN', P .. 'rooms') >= max then return {'too_many_rooms'} end
end
for _, user in ipairs(enter) do
  local other = redis.call('GET', P .. 'user:' .. user)
  if other and other ~= code and redis.call('EXISTS', P .. 'room:' .. other) == 1 then
    return {'user_busy'}
  end
end
if #absent > 0 then
  local nodes = live_nodes(now_ms())
  for _, user in ipairs(absent) do
    if sockets_of(user, nodes) > 0 then return {'user_present'} end
  end
end
local version = redis.call('INCR', P .. 'seq')
local ttl = ARGV[8]
if ARGV[4] == '' then
  redis.call('DEL', room_key)
  redis.call('HDEL', P .. 'rooms', code)
  redis.call('ZREM', P .. 'deadlines', code)
else
  redis.call('HSET', room_key, 'v', version, 'data', ARGV[4])
  redis.call('PEXPIRE', room_key, ttl)
  redis.call('HSET', P .. 'rooms', code, ARGV[5])
  if ARGV[6] == '' then
    redis.call('ZREM', P .. 'deadlines', code)
  else
    redis.call('ZADD', P .. 'deadlines', ARGV[6], code)
  end
end
for _, user in ipairs(leave) do
  local key = P .. 'user:' .. user
  if redis.call('GET', key) == code then redis.call('DEL', key) end
end
for _, user in ipairs(enter) do
  redis.call('SET', P .. 'user:' .. user, code, 'PX', ttl)
  unqueue(user)
end
for _, user in ipairs(members) do
  local key = P .. 'user:' .. user
  if redis.call('GET', key) == code then redis.call('PEXPIRE', key, ttl) end
end
if ARGV[9] == '1' then return {'done', version, room_list()} end
return {'done', version}
)lua";

// ARGV: prefix. Returns {version, list}.
constexpr const char* list_script = R"lua(
return {tonumber(redis.call('GET', P .. 'seq') or '0'), room_list()}
)lua";

// ARGV: prefix, node, user, +1 or -1, node timeout in ms, settle timeout in ms.
// Returns {the user's sockets on live nodes, users online, version}.
// A user whose last socket went is `departing` until a lobby settled them
// (lobby: marked away, or out of the room): if the node doing it stops
// first, another node's sweep finds them once the settle timeout passed.
constexpr const char* presence_script = R"lua(
local now = now_ms()
local user = ARGV[3]
local key = P .. 'presence:' .. ARGV[2]
local n = redis.call('HINCRBY', key, user, ARGV[4])
if n <= 0 then redis.call('HDEL', key, user) end
redis.call('ZADD', P .. 'nodes', ms(now + tonumber(ARGV[5])), ARGV[2])
local nodes = live_nodes(now)
local sockets = sockets_of(user, nodes)
if sockets > 0 then
  redis.call('ZREM', P .. 'departing', user)
elseif tonumber(ARGV[4]) < 0 then
  redis.call('ZADD', P .. 'departing', ms(now + tonumber(ARGV[6])), user)
end
return {sockets, online(nodes), redis.call('INCR', P .. 'seq')}
)lua";

// ARGV: prefix, user. The lobby settled the user's departure.
constexpr const char* settled_script = R"lua(
redis.call('ZREM', P .. 'departing', ARGV[2])
return 1
)lua";

// ARGV: prefix, node, node timeout in ms, settle timeout in ms, '1' to
// replace this node's presence with the pairs that follow (user, sockets),
// else '0'.
// Returns {1 if this node was still known else 0, users gone, rooms due,
// users online and the version when that may have changed, else false, false}.
constexpr const char* sweep_script = R"lua(
local now = now_ms()
local me = ARGV[2]
local key = P .. 'presence:' .. me
local known = redis.call('ZADD', P .. 'nodes', ms(now + tonumber(ARGV[3])), me) == 0
local settle = tonumber(ARGV[4])
if ARGV[5] == '1' then
  redis.call('DEL', key)
  for k = 6, #ARGV, 2 do redis.call('HSET', key, ARGV[k], ARGV[k + 1]) end
end
-- Nodes that stopped sweeping: their sockets are gone. One node removes
-- each (the script is atomic) and reports its users with no socket left.
local candidates = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', P .. 'nodes', '-inf', ms(now))) do
  for _, user in ipairs(redis.call('HKEYS', P .. 'presence:' .. node)) do
    candidates[#candidates + 1] = user
  end
  redis.call('DEL', P .. 'presence:' .. node)
  redis.call('ZREM', P .. 'nodes', node)
end
local gone, count, version = {}, false, false
local nodes = live_nodes(now)
local seen = {}
for _, user in ipairs(candidates) do
  if not seen[user] and sockets_of(user, nodes) == 0 then gone[#gone + 1] = user end
  seen[user] = true
end
-- Departures nobody settled in time: this node takes them, and holds them
-- for another settle timeout (then any node may take them again).
for _, user in ipairs(redis.call('ZRANGEBYSCORE', P .. 'departing', '-inf', ms(now))) do
  if sockets_of(user, nodes) > 0 then
    redis.call('ZREM', P .. 'departing', user)
  else
    redis.call('ZADD', P .. 'departing', ms(now + settle), user)
    if not seen[user] then gone[#gone + 1] = user end
    seen[user] = true
  end
end
-- Who is online changed (or, after a restore, may have): say so.
if #candidates > 0 or ARGV[5] == '1' then
  count = online(nodes)
  version = redis.call('INCR', P .. 'seq')
end
local due = redis.call('ZRANGEBYSCORE', P .. 'deadlines', '-inf', ms(now))
return {known and 1 or 0, gone, due, count, version}
)lua";

// ARGV: prefix, code, the message's JSON, how many to keep, ttl in ms.
// Returns the message's id.
constexpr const char* chat_append_script = R"lua(
local key = P .. 'chat:' .. ARGV[2]
local id = redis.call('INCR', P .. 'chat-seq')
redis.call('RPUSH', key, ms(id) .. ' ' .. ARGV[3])
redis.call('LTRIM', key, -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', key, ARGV[5])
return id
)lua";

// ARGV: prefix, code, how many. Returns the newest entries, oldest first.
constexpr const char* chat_recent_script = R"lua(
return redis.call('LRANGE', P .. 'chat:' .. ARGV[2], -tonumber(ARGV[3]), -1)
)lua";

// ARGV: prefix, code.
constexpr const char* chat_clear_script = R"lua(
redis.call('DEL', P .. 'chat:' .. ARGV[2])
return 1
)lua";

// Quick match. ARGV: prefix, pool, user, name. Returns {} after queueing
// the user (nobody else waits in the pool), else {peer, peer's name}: the
// player who waited longest and still has a socket on a live node, taken out
// of the queue (those with none are dropped on the way).
constexpr const char* match_script = R"lua(
local me = ARGV[3]
local queue = P .. 'match:' .. ARGV[2]
unqueue(me)
local nodes = live_nodes(now_ms())
for _, user in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
  local name = redis.call('HGET', P .. 'match_names', user)
  unqueue(user)
  if name and sockets_of(user, nodes) > 0 then return {user, name} end
end
redis.call('ZADD', queue, redis.call('INCR', P .. 'match_seq'), me)
redis.call('HSET', P .. 'matching', me, ARGV[2])
redis.call('HSET', P .. 'match_names', me, ARGV[4])
return {}
)lua";

// ARGV: prefix, user. Returns 1 if the user was waiting, else 0.
constexpr const char* cancel_match_script = R"lua(
return unqueue(ARGV[2]) and 1 or 0
)lua";

std::string with_prelude(const char* script)
{
    return std::string(prelude) + script;
}

// --- Reading replies: a script's answer is checked like any input.

const reply* element(const reply& r, std::size_t i)
{
    if (r.type != reply::kind::array || i >= r.elements.size())
        return nullptr;
    return &r.elements[i];
}

std::optional<std::int64_t> integer_of(const reply* r)
{
    if (!r || r->type != reply::kind::integer)
        return std::nullopt;
    return r->integer;
}

std::optional<std::uint64_t> count_of(const reply* r)
{
    auto n = integer_of(r);
    if (!n || *n < 0)
        return std::nullopt;
    return static_cast<std::uint64_t>(*n);
}

const std::string* string_of(const reply* r)
{
    if (!r || r->type != reply::kind::string)
        return nullptr;
    return &r->str;
}

std::optional<std::int64_t> parse_id(const std::string& text)
{
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return id;
}

std::optional<room_list> list_of(const reply* r, std::uint64_t version)
{
    if (!r || r->type != reply::kind::array)
        return std::nullopt;
    room_list list{.version = version};
    for (const auto& e : r->elements) {
        if (e.type != reply::kind::string)
            return std::nullopt;
        boost::system::error_code ec;
        auto parsed = json::parse(e.str, ec);
        // A line that does not read is left out of the list, not the list.
        if (ec)
            continue;
        if (auto summary = json::try_value_to<room_summary>(parsed))
            list.rooms.push_back(std::move(*summary));
    }
    return list;
}

/// A log entry, "ID JSON"; std::nullopt for one that does not read.
std::optional<chat_message> chat_entry(const std::string& entry)
{
    auto space = entry.find(' ');
    if (space == std::string::npos)
        return std::nullopt;
    auto id = parse_id(entry.substr(0, space));
    boost::system::error_code ec;
    auto parsed = json::parse(std::string_view(entry).substr(space + 1), ec);
    if (!id || *id <= 0 || ec)
        return std::nullopt;
    auto* o = parsed.if_object();
    auto* from = o ? o->if_contains("from") : nullptr;
    auto* text = o ? o->if_contains("text") : nullptr;
    auto* at = o ? o->if_contains("at") : nullptr;
    if (!from || !from->is_string() || !text || !text->is_string() || !at || !at->is_int64())
        return std::nullopt;
    return chat_message{.from = std::string(from->as_string()),
                        .text = std::string(text->as_string()),
                        .at = at->as_int64(),
                        .id = *id};
}

std::string ms_text(clock::duration d)
{
    return std::to_string(d.count());
}

void push_ids(std::vector<std::string>& args, const std::vector<std::int64_t>& ids)
{
    args.push_back(std::to_string(ids.size()));
    for (auto id : ids)
        args.push_back(std::to_string(id));
}

} // namespace

/// One command sent, its reply to come: the connection's callback puts it in
/// a one-slot channel that the coroutine awaits.
class redis_room_store::pending {
public:
    using channel = net::experimental::concurrent_channel<void(boost::system::error_code, reply)>;

    explicit pending(net::any_io_executor ex) : channel_(std::move(ex), 1) {}
    channel& replies() { return channel_; }

private:
    channel channel_;
};

redis_room_store::redis_room_store(net::any_io_executor ex, corio::redis::connection_options where,
                                   redis_store_options opts)
    : ex_(ex), conn_(corio::redis::connection::create(std::move(ex), std::move(where))), opts_(std::move(opts))
{
    // A connection that comes back may have lost commands that counted
    // sockets: the next sweep sends them whole. The flag outlives the store
    // if the connection does.
    conn_->on_state([reconnected = reconnected_](bool up) {
        if (up)
            reconnected->store(true);
    });
    conn_->start();
    // What a previous run under this name left is not this run's.
    conn_->exec({"DEL", opts_.prefix + "presence:" + opts_.node}, [](boost::system::result<reply>) {});
}

redis_room_store::~redis_room_store()
{
    close();
}

void redis_room_store::close()
{
    conn_->close();
}

std::shared_ptr<redis_room_store::pending> redis_room_store::start(const char* script, std::vector<std::string> args)
{
    auto p = std::make_shared<pending>(ex_);
    // Down: fail now rather than queue a change that would land later,
    // after the player was told it failed.
    if (!conn_->connected()) {
        p->replies().try_send(make_error_code(store_error::unavailable), reply{});
        return p;
    }
    std::vector<std::string> command{"EVAL", with_prelude(script), "0", opts_.prefix};
    command.insert(command.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    conn_->exec(std::move(command), [p](boost::system::result<reply> r) {
        if (r)
            p->replies().try_send(boost::system::error_code{}, std::move(*r));
        else
            p->replies().try_send(r.error(), reply{});
    });
    return p;
}

net::awaitable<store_result<reply>> redis_room_store::finish(std::shared_ptr<pending> p)
{
    using namespace net::experimental::awaitable_operators;
    auto ex = co_await net::this_coro::executor;
    net::steady_timer timer(ex, opts_.command_timeout);
    auto first = co_await (p->replies().async_receive(net::as_tuple(net::use_awaitable)) ||
                           timer.async_wait(net::as_tuple(net::use_awaitable)));
    if (first.index() == 1)
        co_return make_error_code(store_error::unavailable);
    auto [ec, r] = std::get<0>(std::move(first));
    if (ec)
        co_return ec;
    if (r.is_error()) {
        // A script that failed: a bug, or a Redis that is not what we need.
        opts_.log({.level = corio::log_level::error, .message = "Redis failed a script", .error = r.str});
        co_return make_error_code(store_error::bad_reply);
    }
    co_return std::move(r);
}

net::awaitable<store_result<reply>> redis_room_store::eval(const char* script, std::vector<std::string> args)
{
    auto p = start(script, std::move(args));
    auto r = co_await finish(std::move(p));
    co_return r;
}

net::awaitable<store_result<room_snapshot>> redis_room_store::read_room(std::string mode, std::string id)
{
    // The arguments are built first: g++ 12 miscompiles a braced list inside
    // a co_await expression.
    std::vector<std::string> args{std::move(mode), std::move(id)};
    auto r = co_await eval(load_script, std::move(args));
    if (!r)
        co_return r.error();
    auto now = integer_of(element(*r, 0));
    if (!now)
        co_return make_error_code(store_error::bad_reply);
    room_snapshot snap{.now = clock::duration(*now)};
    if (r->elements.size() == 1)
        co_return snap;
    auto version = count_of(element(*r, 1));
    const auto* data = string_of(element(*r, 2));
    if (!version || !data)
        co_return make_error_code(store_error::bad_reply);
    boost::system::error_code ec;
    auto value = json::parse(*data, ec);
    auto parsed = ec ? std::nullopt : room::from_json(value);
    if (!parsed)
        co_return make_error_code(store_error::bad_room);
    snap.found = stored_room{std::move(*parsed), *version};
    co_return snap;
}

net::awaitable<store_result<room_snapshot>> redis_room_store::load(std::string code)
{
    auto r = co_await read_room("code", std::move(code));
    co_return r;
}

net::awaitable<store_result<room_snapshot>> redis_room_store::load_user_room(std::int64_t user_id)
{
    auto r = co_await read_room("user", std::to_string(user_id));
    co_return r;
}

net::awaitable<store_result<commit_result>> redis_room_store::commit(room_change change)
{
    std::vector<std::string> args{change.code, std::to_string(change.expected)};
    std::vector<std::int64_t> members;
    if (change.next) {
        args.push_back(json::serialize(change.next->to_json()));
        args.push_back(json::serialize(json::value_from(change.next->summary())));
        auto deadline = change.next->next_deadline();
        args.push_back(deadline ? ms_text(*deadline) : std::string());
        members = change.next->members();
    } else {
        args.insert(args.end(), {std::string(), std::string(), std::string()});
    }
    args.push_back(std::to_string(change.max_rooms));
    args.push_back(ms_text(opts_.room_ttl));
    args.push_back(change.want_list ? "1" : "0");
    push_ids(args, change.enter);
    push_ids(args, change.leave);
    push_ids(args, change.absent);
    push_ids(args, members);

    auto r = co_await eval(commit_script, std::move(args));
    if (!r)
        co_return r.error();
    const auto* status = string_of(element(*r, 0));
    if (!status)
        co_return make_error_code(store_error::bad_reply);
    if (*status == "conflict")
        co_return commit_result{.status = commit_status::conflict};
    if (*status == "user_busy")
        co_return commit_result{.status = commit_status::user_busy};
    if (*status == "user_present")
        co_return commit_result{.status = commit_status::user_present};
    if (*status == "too_many_rooms")
        co_return commit_result{.status = commit_status::too_many_rooms};
    auto version = count_of(element(*r, 1));
    if (*status != "done" || !version)
        co_return make_error_code(store_error::bad_reply);
    commit_result done{.status = commit_status::done, .version = *version};
    if (change.want_list) {
        done.list = list_of(element(*r, 2), *version);
        if (!done.list)
            co_return make_error_code(store_error::bad_reply);
    }
    co_return done;
}

net::awaitable<store_result<room_list>> redis_room_store::list()
{
    std::vector<std::string> no_args;
    auto r = co_await eval(list_script, std::move(no_args));
    if (!r)
        co_return r.error();
    auto version = count_of(element(*r, 0));
    auto list = version ? list_of(element(*r, 1), *version) : std::nullopt;
    if (!list)
        co_return make_error_code(store_error::bad_reply);
    co_return std::move(*list);
}

net::awaitable<store_result<presence>> redis_room_store::count(std::int64_t user_id, int delta)
{
    std::shared_ptr<pending> p;
    {
        // The local count and the command change together, so Redis sees
        // the changes in the order this node made them (a sweep may send
        // the counts whole in between).
        std::lock_guard guard(mutex_);
        auto& n = local_[user_id];
        if (delta > 0)
            ++n;
        else if (n > 0)
            --n;
        if (n == 0)
            local_.erase(user_id);
        p = start(presence_script, {opts_.node, std::to_string(user_id), delta > 0 ? "1" : "-1",
                                    ms_text(opts_.node_timeout), ms_text(opts_.settle_timeout)});
    }
    auto r = co_await finish(std::move(p));
    if (!r) {
        std::lock_guard guard(mutex_);
        dirty_ = true;
        co_return r.error();
    }
    auto sockets = count_of(element(*r, 0));
    auto online = count_of(element(*r, 1));
    auto version = count_of(element(*r, 2));
    if (!sockets || !online || !version)
        co_return make_error_code(store_error::bad_reply);
    co_return presence{.user_sockets = *sockets, .online = *online, .version = *version};
}

net::awaitable<store_result<presence>> redis_room_store::socket_connected(std::int64_t user_id)
{
    auto r = co_await count(user_id, +1);
    co_return r;
}

net::awaitable<store_result<presence>> redis_room_store::socket_disconnected(std::int64_t user_id)
{
    auto r = co_await count(user_id, -1);
    co_return r;
}

net::awaitable<boost::system::error_code> redis_room_store::settled(std::int64_t user_id)
{
    std::vector<std::string> args{std::to_string(user_id)};
    auto r = co_await eval(settled_script, std::move(args));
    co_return r ? boost::system::error_code{} : r.error();
}

net::awaitable<store_result<sweep_result>> redis_room_store::sweep()
{
    std::shared_ptr<pending> p;
    bool full = false;
    {
        std::lock_guard guard(mutex_);
        full = dirty_ || reconnected_->exchange(false);
        std::vector<std::string> args{opts_.node, ms_text(opts_.node_timeout), ms_text(opts_.settle_timeout),
                                      full ? "1" : "0"};
        if (full) {
            for (const auto& [user_id, n] : local_) {
                args.push_back(std::to_string(user_id));
                args.push_back(std::to_string(n));
            }
        }
        p = start(sweep_script, std::move(args));
        dirty_ = false;
    }
    auto r = co_await finish(std::move(p));
    if (!r) {
        std::lock_guard guard(mutex_);
        dirty_ = dirty_ || full;
        co_return r.error();
    }
    auto known = integer_of(element(*r, 0));
    const auto* gone = element(*r, 1);
    const auto* due = element(*r, 2);
    if (!known || !gone || gone->type != reply::kind::array || !due || due->type != reply::kind::array)
        co_return make_error_code(store_error::bad_reply);
    if (*known == 0 && !full) {
        // Another node took this one for stopped (a long pause, Redis away)
        // and removed its sockets: they go back at the next sweep.
        std::lock_guard guard(mutex_);
        dirty_ = true;
    }
    sweep_result found;
    for (const auto& e : gone->elements) {
        auto id = e.type == reply::kind::string ? parse_id(e.str) : std::nullopt;
        if (id)
            found.gone.push_back(*id);
    }
    for (const auto& e : due->elements)
        if (e.type == reply::kind::string)
            found.due.push_back(e.str);
    auto online = count_of(element(*r, 3));
    auto version = count_of(element(*r, 4));
    if (online && version)
        found.online = presence{.online = *online, .version = *version};
    co_return found;
}

// ---------------------------------------------------------------------------
// The chat log.

net::awaitable<store_result<chat_message>> redis_room_store::append(std::string code, chat_message message,
                                                                    std::size_t keep)
{
    // A log of 0 keeps nothing; LTRIM with -0 would keep everything.
    if (keep == 0) {
        auto failed = co_await clear(code);
        if (failed)
            co_return failed;
        co_return message;
    }
    message.id = 0;
    json::object entry{{"from", message.from}, {"text", message.text}, {"at", message.at}};
    std::vector<std::string> args{std::move(code), json::serialize(entry), std::to_string(keep),
                                  ms_text(opts_.room_ttl)};
    auto r = co_await eval(chat_append_script, std::move(args));
    if (!r)
        co_return r.error();
    auto id = integer_of(&*r);
    if (!id || *id <= 0)
        co_return make_error_code(store_error::bad_reply);
    message.id = *id;
    co_return message;
}

net::awaitable<store_result<std::vector<chat_message>>> redis_room_store::recent(std::string code, std::size_t limit)
{
    std::vector<chat_message> out;
    if (limit == 0)
        co_return out;
    std::vector<std::string> args{std::move(code), std::to_string(limit)};
    auto r = co_await eval(chat_recent_script, std::move(args));
    if (!r)
        co_return r.error();
    if (r->type != reply::kind::array)
        co_return make_error_code(store_error::bad_reply);
    for (const auto& e : r->elements) {
        // An entry that does not read is left out, not the log.
        auto message = e.type == reply::kind::string ? chat_entry(e.str) : std::nullopt;
        if (message)
            out.push_back(std::move(*message));
    }
    co_return out;
}

net::awaitable<boost::system::error_code> redis_room_store::clear(std::string code)
{
    std::vector<std::string> args{std::move(code)};
    auto r = co_await eval(chat_clear_script, std::move(args));
    co_return r ? boost::system::error_code{} : r.error();
}

// ---------------------------------------------------------------------------
// Quick match.

net::awaitable<store_result<std::optional<match_ticket>>> redis_room_store::match(std::string pool, match_ticket me)
{
    std::vector<std::string> args{std::move(pool), std::to_string(me.user_id), std::move(me.name)};
    auto r = co_await eval(match_script, std::move(args));
    if (!r)
        co_return r.error();
    if (r->type != reply::kind::array)
        co_return make_error_code(store_error::bad_reply);
    if (r->elements.empty())
        co_return std::optional<match_ticket>();
    const auto* id = string_of(element(*r, 0));
    const auto* name = string_of(element(*r, 1));
    auto user_id = id ? parse_id(*id) : std::nullopt;
    if (!user_id || !name)
        co_return make_error_code(store_error::bad_reply);
    co_return std::optional<match_ticket>(match_ticket{*user_id, *name});
}

net::awaitable<store_result<bool>> redis_room_store::cancel_match(std::int64_t user_id)
{
    std::vector<std::string> args{std::to_string(user_id)};
    auto r = co_await eval(cancel_match_script, std::move(args));
    // bool is constructible from an error_code: say which one is meant.
    if (!r)
        co_return store_result<bool>(boost::system::in_place_error, r.error());
    auto was = integer_of(&*r);
    if (!was)
        co_return store_result<bool>(boost::system::in_place_error, make_error_code(store_error::bad_reply));
    co_return store_result<bool>(boost::system::in_place_value, *was == 1);
}

} // namespace corio_game
