#include "lobby.hpp"

#include <corio/dsl.hpp>

#include <boost/json/object.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace rooms_by_code {

namespace json = boost::json;

namespace {

// No 0/O, 1/I/L: codes are read aloud and typed by people.
constexpr std::string_view code_alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
constexpr std::size_t code_length = 4;

json::object failure(std::string message)
{
    return {{"error", std::move(message)}};
}

std::string waiting_text(const std::string& code)
{
    return "Waiting for player 2, room ID is " + code;
}

std::string to_upper(std::string text)
{
    std::ranges::transform(text, text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

} // namespace

std::string room_table::unused_code()
{
    std::uniform_int_distribution<std::size_t> pick(0, code_alphabet.size() - 1);
    std::string code(code_length, ' ');
    do {
        for (auto& c : code)
            c = code_alphabet[pick(random_)];
    } while (rooms_.contains(code));
    return code;
}

std::optional<std::string> room_table::create(const corio::socket_ref& creator, std::string name)
{
    std::lock_guard lock(mutex_);
    if (rooms_.size() >= max_rooms)
        return std::nullopt;
    auto code = unused_code();
    creator.join(code);
    rooms_[code].push_back({creator.id(), std::move(name)});
    return code;
}

room_table::join_result room_table::join(const corio::socket_ref& joiner, const std::string& code, std::string name)
{
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(code);
    if (it == rooms_.end())
        return {join_status::unknown_code, {}};
    auto& players = it->second;
    if (players.size() >= capacity)
        return {join_status::full, {}};
    joiner.join(code);
    players.push_back({joiner.id(), std::move(name)});
    std::uniform_int_distribution<std::size_t> coin(0, players.size() - 1);
    return {join_status::joined, {code, players, players[coin(random_)].id}};
}

std::size_t room_table::leave(const std::string& code, const std::string& id)
{
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(code);
    if (it == rooms_.end())
        return 0;
    std::erase_if(it->second, [&](const seat& s) { return s.id == id; });
    auto left = it->second.size();
    if (left == 0)
        rooms_.erase(it);
    return left;
}

std::size_t room_table::size() const
{
    std::lock_guard lock(mutex_);
    return rooms_.size();
}

void setup_lobby(corio::server& io, std::shared_ptr<room_table> rooms)
{
    auto lobby = io.of("/");

    // create_room(name) -> {"room": code} | {"error": why}
    lobby.on("create_room", [rooms](corio::context& ctx, std::string name) -> json::object {
        auto& me = ctx.data<player>();
        if (!me.room.empty())
            return failure("you are already in room " + me.room);
        if (name.empty())
            return failure("a name is required");
        auto code = rooms->create(ctx, name);
        if (!code)
            return failure("too many rooms are open, try again later");
        me = {std::move(name), *code};
        ctx.emit("waiting", waiting_text(*code));
        return {{"room", *code}};
    });

    // join_room(code, name) -> {"room": code} | {"error": why}; both players
    // then get new_game.
    CORIO_ON(lobby, "join_room")([rooms, &io](corio::context& ctx, std::string code, std::string name) -> json::object {
        auto& me = ctx.data<player>();
        if (!me.room.empty())
            return failure("you are already in room " + me.room);
        if (name.empty())
            return failure("a name is required");
        code = to_upper(std::move(code));
        auto result = rooms->join(ctx, code, name);
        switch (result.status) {
        case room_table::join_status::unknown_code:
            return failure("there is no room " + code);
        case room_table::join_status::full:
            return failure("room " + code + " is full");
        case room_table::join_status::joined:
            break;
        }
        me = {std::move(name), code};
        io.of("/").to(code).emit("new_game", result.game);
        return {{"room", code}};
    });

    // The socket's rooms are still readable here; they are emptied after.
    lobby.on_disconnect([rooms](corio::context& ctx, corio::disconnect_reason reason) {
        const auto& me = ctx.data<player>();
        if (me.room.empty() || rooms->leave(me.room, ctx.id()) == 0)
            return;
        ctx.to(me.room).emit("opponent_left", json::object{{"name", me.name}, {"reason", corio::to_string(reason)}});
        ctx.to(me.room).emit("waiting", waiting_text(me.room));
    });
}

} // namespace rooms_by_code
