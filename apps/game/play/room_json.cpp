// A room as JSON, for the room stores: everything room::state shows and what
// it needs to go on (user ids, the columns played, deadlines). Redis keeps
// these bytes, so reading them back checks every field.

#include "play/room.hpp"

#include <boost/json/array.hpp>

namespace corio_game {

namespace json = boost::json;

namespace {

// Bumped when the layout changes; a node refuses rooms of another layout
// instead of misreading them.
constexpr std::int64_t format_version = 1;

json::value seat_json(const std::optional<seat>& s)
{
    if (!s)
        return nullptr;
    return json::object{{"id", s->user_id}, {"name", s->name}};
}

std::optional<std::int64_t> int_at(const json::object& o, std::string_view key)
{
    auto* v = o.if_contains(key);
    if (!v || !v->is_int64())
        return std::nullopt;
    return v->as_int64();
}

const json::string* string_at(const json::object& o, std::string_view key)
{
    auto* v = o.if_contains(key);
    return v ? v->if_string() : nullptr;
}

std::optional<seat> read_seat(const json::value& v)
{
    auto* o = v.if_object();
    if (!o)
        return std::nullopt;
    auto id = int_at(*o, "id");
    auto* name = string_at(*o, "name");
    if (!id || !name || name->empty())
        return std::nullopt;
    return seat{*id, std::string(*name)};
}

/// A seat field: null (free) or a seat. False when it is neither.
bool read_seat_field(const json::object& o, std::string_view key, std::optional<seat>& out)
{
    auto* v = o.if_contains(key);
    if (!v)
        return false;
    if (v->is_null()) {
        out.reset();
        return true;
    }
    out = read_seat(*v);
    return out.has_value();
}

std::optional<room_status> read_status(std::string_view s)
{
    for (auto status : {room_status::waiting, room_status::playing, room_status::over})
        if (to_string(status) == s)
            return status;
    return std::nullopt;
}

std::optional<disc> read_disc(std::string_view s)
{
    for (auto d : {disc::none, disc::red, disc::yellow})
        if (to_string(d) == s)
            return d;
    return std::nullopt;
}

} // namespace

json::object room::to_json() const
{
    json::array spectators;
    for (const auto& [id, name] : spectators_)
        spectators.emplace_back(json::object{{"id", id}, {"name", name}});
    json::array columns;
    for (int c : columns_)
        columns.emplace_back(c);
    json::array away;
    for (const auto& [id, deadline] : away_)
        away.emplace_back(json::object{{"id", id}, {"deadline", deadline.count()}});
    json::object out{
        {"format", format_version},          {"code", code_},
        {"status", to_string(status_)},      {"red", seat_json(red_)},
        {"yellow", seat_json(yellow_)},      {"spectators", std::move(spectators)},
        {"columns", std::move(columns)},     {"ending", ending_},
        {"winner", to_string(winner_)},      {"winner_name", winner_name_},
        {"loser_name", loser_name_},         {"red_rematch", red_rematch_},
        {"yellow_rematch", yellow_rematch_}, {"away", std::move(away)},
    };
    // Turn clock: a room without one has no "clock" (rooms written before it had none).
    if (clock_)
        out["clock"] = clock_->to_json();
    return out;
}

std::optional<room> room::from_json(const json::value& v)
{
    auto* o = v.if_object();
    if (!o || int_at(*o, "format") != format_version)
        return std::nullopt;
    room r;
    auto* code = string_at(*o, "code");
    auto* status = string_at(*o, "status");
    auto* ending = string_at(*o, "ending");
    auto* winner = string_at(*o, "winner");
    auto* winner_name = string_at(*o, "winner_name");
    auto* loser_name = string_at(*o, "loser_name");
    auto* red_rematch = o->if_contains("red_rematch");
    auto* yellow_rematch = o->if_contains("yellow_rematch");
    if (!code || code->size() != 4 || !status || !ending || !winner || !winner_name || !loser_name || !red_rematch ||
        !red_rematch->is_bool() || !yellow_rematch || !yellow_rematch->is_bool())
        return std::nullopt;
    auto parsed_status = read_status(*status);
    auto parsed_winner = read_disc(*winner);
    if (!parsed_status || !parsed_winner)
        return std::nullopt;
    if (!read_seat_field(*o, "red", r.red_) || !read_seat_field(*o, "yellow", r.yellow_))
        return std::nullopt;
    if (r.red_ && r.yellow_ && r.red_->user_id == r.yellow_->user_id)
        return std::nullopt;
    r.code_ = std::string(*code);
    r.status_ = *parsed_status;
    r.ending_ = std::string(*ending);
    r.winner_ = *parsed_winner;
    r.winner_name_ = std::string(*winner_name);
    r.loser_name_ = std::string(*loser_name);
    r.red_rematch_ = red_rematch->as_bool();
    r.yellow_rematch_ = yellow_rematch->as_bool();

    auto* spectators = o->if_contains("spectators");
    if (!spectators || !spectators->is_array())
        return std::nullopt;
    for (const auto& s : spectators->as_array()) {
        auto watcher = read_seat(s);
        if (!watcher || r.color_of(watcher->user_id) != disc::none)
            return std::nullopt;
        r.spectators_[watcher->user_id] = std::move(watcher->name);
    }

    // The board is never stored: replaying the moves rebuilds it, and
    // refuses a move the rules would not have allowed.
    auto* columns = o->if_contains("columns");
    if (!columns || !columns->is_array() || columns->as_array().size() > connect_four::columns * connect_four::rows)
        return std::nullopt;
    for (const auto& c : columns->as_array()) {
        if (!c.is_int64() || c.as_int64() < 0 || c.as_int64() >= connect_four::columns ||
            r.game_.play(r.game_.turn(), static_cast<int>(c.as_int64())))
            return std::nullopt;
        r.columns_.push_back(static_cast<int>(c.as_int64()));
    }
    // What state() and play() take for granted: a game in progress has both
    // players and is not over yet.
    if (r.status_ == room_status::playing && (!r.red_ || !r.yellow_ || r.game_.over()))
        return std::nullopt;

    auto* away = o->if_contains("away");
    if (!away || !away->is_array())
        return std::nullopt;
    for (const auto& a : away->as_array()) {
        auto* entry = a.if_object();
        auto id = entry ? int_at(*entry, "id") : std::nullopt;
        auto deadline = entry ? int_at(*entry, "deadline") : std::nullopt;
        // Only a seated player can be away.
        if (!id || !deadline || r.color_of(*id) == disc::none)
            return std::nullopt;
        r.away_[*id] = clock::duration(*deadline);
    }

    if (auto* clock = o->if_contains("clock")) {
        r.clock_ = turn_clock::from_json(*clock);
        if (!r.clock_)
            return std::nullopt;
        // During a game the clock runs for the player to move; otherwise it stands still.
        auto expected = r.status_ == room_status::playing ? r.game_.turn() : disc::none;
        if (r.clock_->running() != expected)
            return std::nullopt;
    }
    return r;
}

} // namespace corio_game
