#include "play/lobby.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>

namespace corio_game {

namespace json = boost::json;

namespace {

// No 0/O or 1/I/L: codes are read aloud and typed by people.
constexpr std::string_view code_alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
constexpr std::size_t code_length = 4;

json::object ok() { return {{"ok", true}}; }
json::object failure(std::string message) { return {{"error", std::move(message)}}; }

std::string broadcast_group(const std::string& code) { return "room:" + code; }

/// Trimmed and upper-cased; std::nullopt unless it could be a room code.
std::optional<std::string> normalize_code(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (text.size() != code_length)
        return std::nullopt;
    std::string code;
    for (unsigned char c : text) {
        c = static_cast<unsigned char>(std::toupper(c));
        if (code_alphabet.find(static_cast<char>(c)) == std::string_view::npos)
            return std::nullopt;
        code.push_back(static_cast<char>(c));
    }
    return code;
}

// Control characters would let a message fake lines of the chat: they become
// spaces. Surrounding space is dropped. (The text is valid UTF-8: Boost.JSON
// checked it.)
std::string clean_chat_text(std::string text)
{
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    auto first = text.find_first_not_of(' ');
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::size_t utf8_length(std::string_view text)
{
    return static_cast<std::size_t>(
        std::ranges::count_if(text, [](unsigned char c) { return (c & 0xc0) != 0x80; }));
}

std::int64_t wall_clock_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

lobby::lobby(corio::nsp ns, results& results, clock& clock, lobby_options opts)
    : ns_(std::move(ns)), results_(results), clock_(clock), opts_(opts)
{
}

room* lobby::room_of(std::int64_t user_id)
{
    auto member = room_of_user_.find(user_id);
    if (member == room_of_user_.end())
        return nullptr;
    return &rooms_.at(member->second);
}

std::string lobby::unused_code()
{
    std::uniform_int_distribution<std::size_t> pick(0, code_alphabet.size() - 1);
    std::string code(code_length, ' ');
    do {
        for (auto& c : code)
            c = code_alphabet[pick(random_)];
    } while (rooms_.contains(code));
    return code;
}

void lobby::connected(const corio::socket_ref& socket, const user& u)
{
    lock guard(mutex_);
    auto& sockets = sockets_[u.id];
    sockets.push_back(socket);
    // Back in the room (a reload): the room comes first, so the page opens on
    // the game rather than flashing the lobby. This socket gets the state
    // directly (it is not yet connected as far as broadcasts go); the others
    // see the player return.
    if (auto* r = room_of(u.id)) {
        socket.join(broadcast_group(r->code()));
        bool was_away = r->is_away(u.id);
        r->clear_away(u.id);
        auto state = r->state(clock_.now());
        socket.emit("room", state);
        if (was_away)
            socket.to(broadcast_group(r->code())).emit("room", state);
    }
    socket.emit("welcome", json::object{{"name", u.name}});
    json::object online{{"players", sockets_.size()}};
    socket.emit("online", online);
    if (sockets.size() == 1)
        socket.broadcast().emit("online", online);
    socket.emit("rooms", room_list());
}

void lobby::disconnected(const corio::socket_ref& socket, const user& u)
{
    lock guard(mutex_);
    auto it = sockets_.find(u.id);
    if (it == sockets_.end())
        return;
    std::erase(it->second, socket);
    if (!it->second.empty())
        return;
    sockets_.erase(it);
    chat_times_.erase(u.id);
    publish_online();

    auto* r = room_of(u.id);
    if (!r)
        return;
    if (r->color_of(u.id) == disc::none) {
        leave(u.id, "");
        return;
    }
    // A reload must not cost the game: the seat is kept for the grace period.
    auto forfeit_later = [weak = weak_from_this(), user_id = u.id, code = r->code()] {
        if (auto self = weak.lock())
            self->forfeit(user_id, code);
    };
    r->mark_away(u.id, clock_.now() + opts_.reconnect_grace, clock_.after(opts_.reconnect_grace, forfeit_later));
    publish_room(*r);
}

void lobby::forfeit(std::int64_t user_id, const std::string& code)
{
    lock guard(mutex_);
    auto* r = room_of(user_id);
    // The player may have come back, or left, since the timer was set.
    if (!r || r->code() != code || !r->is_away(user_id))
        return;
    leave(user_id, "forfeit");
}

void lobby::disconnect_user(std::int64_t user_id)
{
    std::vector<corio::socket_ref> sockets;
    {
        lock guard(mutex_);
        if (auto it = sockets_.find(user_id); it != sockets_.end())
            sockets = it->second;
    }
    // Outside the lock: disconnect runs the disconnect handler, which takes it.
    for (const auto& s : sockets)
        s.disconnect();
}

void lobby::enter(std::int64_t user_id, const room& r)
{
    room_of_user_[user_id] = r.code();
    if (auto it = sockets_.find(user_id); it != sockets_.end())
        for (const auto& s : it->second)
            s.join(broadcast_group(r.code()));
}

void lobby::exit(std::int64_t user_id, const room& r)
{
    room_of_user_.erase(user_id);
    if (auto it = sockets_.find(user_id); it != sockets_.end())
        for (const auto& s : it->second)
            s.leave(broadcast_group(r.code()));
}

void lobby::leave(std::int64_t user_id, std::string_view ending)
{
    auto* r = room_of(user_id);
    if (!r)
        return;
    if (r->has_spectator(user_id))
        r->remove_spectator(user_id);
    else
        record(r->vacate(user_id, ending));
    exit(user_id, *r);

    if (r->has_players()) {
        publish_room(*r);
    } else {
        // No player is left: spectators go back to the lobby.
        auto code = r->code();
        ns_.to(broadcast_group(code))
            .emit("room_closed", json::object{{"code", code}, {"message", "Room " + code + " has closed."}});
        for (auto it = room_of_user_.begin(); it != room_of_user_.end();) {
            if (it->second == code) {
                auto watcher = (it++)->first;
                exit(watcher, *r);
            } else {
                ++it;
            }
        }
        rooms_.erase(code);
    }
    publish_rooms();
}

void lobby::record(const std::optional<game_result>& result)
{
    if (!result)
        return;
    try {
        results_.record(*result);
    } catch (const std::exception& e) {
        // The game went on in memory; only the leaderboard misses it.
        std::cerr << "corio-game: could not record a result: " << e.what() << std::endl;
    }
}

json::object lobby::create_room(const user& u)
{
    lock guard(mutex_);
    if (auto* r = room_of(u.id))
        return failure("You are already in room " + r->code() + ".");
    if (rooms_.size() >= opts_.max_rooms)
        return failure("Too many rooms are open; try again later.");
    auto code = unused_code();
    auto& r = rooms_.emplace(code, room(code, seat{u.id, u.name})).first->second;
    enter(u.id, r);
    publish_room(r);
    publish_rooms();
    return {{"ok", true}, {"code", code}, {"message", r.message(clock_.now())}};
}

json::object lobby::join_room(const user& u, std::string text)
{
    lock guard(mutex_);
    if (auto* r = room_of(u.id))
        return failure("You are already in room " + r->code() + ".");
    auto code = normalize_code(text);
    if (!code)
        return failure("Room codes are 4 letters or digits, like K7QX.");
    auto it = rooms_.find(*code);
    if (it == rooms_.end())
        return failure("There is no room " + *code + ".");
    auto& r = it->second;
    if (!r.has_free_seat())
        return {{"error", "Room " + *code + " is full."}, {"full", true}};
    r.take_seat(seat{u.id, u.name});
    enter(u.id, r);
    publish_room(r);
    publish_rooms();
    return {{"ok", true}, {"code", *code}};
}

json::object lobby::watch_room(const user& u, std::string text)
{
    lock guard(mutex_);
    if (auto* r = room_of(u.id))
        return failure("You are already in room " + r->code() + ".");
    auto code = normalize_code(text);
    auto it = code ? rooms_.find(*code) : rooms_.end();
    if (it == rooms_.end())
        return failure("There is no room " + code.value_or(std::string("with that code")) + ".");
    auto& r = it->second;
    r.add_spectator(seat{u.id, u.name});
    enter(u.id, r);
    publish_room(r);
    publish_rooms();
    return {{"ok", true}, {"code", *code}};
}

json::object lobby::leave_room(const user& u)
{
    lock guard(mutex_);
    if (!room_of(u.id))
        return failure("You are not in a room.");
    leave(u.id, "resign");
    return ok();
}

json::object lobby::move(const user& u, int column)
{
    lock guard(mutex_);
    auto* r = room_of(u.id);
    if (!r)
        return failure("You are not in a room.");
    if (r->color_of(u.id) == disc::none)
        return failure("Spectators cannot play.");
    auto outcome = r->play(u.id, column);
    if (auto* error = std::get_if<move_error>(&outcome))
        return failure(std::string(describe(*error)));
    auto& finished = std::get<std::optional<game_result>>(outcome);
    record(finished);
    publish_room(*r);
    if (finished)
        publish_rooms();
    return ok();
}

json::object lobby::rematch(const user& u)
{
    lock guard(mutex_);
    auto* r = room_of(u.id);
    if (!r || r->color_of(u.id) == disc::none)
        return failure("Only players can ask for a rematch.");
    if (r->status() != room_status::over)
        return failure("The game is not over yet.");
    if (r->has_free_seat())
        return failure("Your opponent has left.");
    bool started = r->offer_rematch(u.id);
    publish_room(*r);
    if (started)
        publish_rooms();
    return {{"ok", true}, {"started", started}};
}

json::object lobby::chat(const user& u, std::string text)
{
    lock guard(mutex_);
    auto* r = room_of(u.id);
    if (!r)
        return failure("Join a room to chat.");
    text = clean_chat_text(std::move(text));
    if (text.empty())
        return failure("Say something first.");
    if (utf8_length(text) > opts_.chat_max_chars)
        return failure("Messages are at most " + std::to_string(opts_.chat_max_chars) + " characters.");
    auto& times = chat_times_[u.id];
    auto now = clock_.now();
    while (!times.empty() && now - times.front() >= opts_.chat_window)
        times.pop_front();
    if (times.size() >= opts_.chat_burst)
        return failure("You are sending messages too fast.");
    times.push_back(now);
    ns_.to(broadcast_group(r->code()))
        .emit("chat", json::object{{"from", u.name}, {"text", std::move(text)}, {"at", wall_clock_ms()}});
    return ok();
}

std::size_t lobby::online() const
{
    lock guard(mutex_);
    return sockets_.size();
}

std::size_t lobby::room_count() const
{
    lock guard(mutex_);
    return rooms_.size();
}

void lobby::publish_room(const room& r) const
{
    ns_.to(broadcast_group(r.code())).emit("room", r.state(clock_.now()));
}

void lobby::publish_rooms() const { ns_.emit("rooms", room_list()); }

void lobby::publish_online() const { ns_.emit("online", json::object{{"players", sockets_.size()}}); }

json::array lobby::room_list() const
{
    // Open rooms first, then games to watch; newest codes are not favoured.
    std::vector<const room*> sorted;
    for (const auto& [code, r] : rooms_)
        sorted.push_back(&r);
    std::ranges::sort(sorted, [](const room* a, const room* b) {
        if (a->has_free_seat() != b->has_free_seat())
            return a->has_free_seat();
        return a->code() < b->code();
    });
    json::array list;
    for (const auto* r : sorted)
        list.emplace_back(r->summary());
    return list;
}

} // namespace corio_game
