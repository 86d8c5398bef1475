#include "play/room.hpp"

#include <algorithm>
#include <chrono>

namespace corio_game {

std::string_view to_string(room_status s) noexcept
{
    switch (s) {
    case room_status::waiting:
        return "waiting";
    case room_status::playing:
        return "playing";
    case room_status::over:
        return "over";
    }
    return "";
}

namespace {

std::optional<std::string> name_of(const std::optional<seat>& s)
{
    if (!s)
        return std::nullopt;
    return s->name;
}

/// A seated player's colour (never disc::none).
player_color color_name(disc d) { return d == disc::yellow ? player_color::yellow : player_color::red; }

std::string waiting_text(const std::string& code) { return "Waiting for player 2, room ID is " + code; }

/// Whole seconds from `now` to `deadline`, rounded up, never negative.
std::int64_t seconds_left(clock::duration deadline, clock::duration now)
{
    return std::chrono::ceil<std::chrono::seconds>(std::max(deadline - now, clock::duration{0})).count();
}

} // namespace

room::room(std::string code, seat host, std::optional<clock::duration> per_player)
    : code_(std::move(code)), red_(std::move(host))
{
    if (per_player)
        clock_.emplace(*per_player);
}

disc room::color_of(std::int64_t user_id) const noexcept
{
    if (red_ && red_->user_id == user_id)
        return disc::red;
    if (yellow_ && yellow_->user_id == user_id)
        return disc::yellow;
    return disc::none;
}

const std::optional<seat>& room::seat_of(disc color) const noexcept { return color == disc::yellow ? yellow_ : red_; }

void room::take_seat(seat player, clock::duration now)
{
    (red_ ? yellow_ : red_) = std::move(player);
    if (!has_free_seat())
        start_game(now);
}

void room::start_game(clock::duration now)
{
    if (clock_)
        clock_->start(disc::red, now);
    game_ = connect_four{};
    columns_.clear();
    status_ = room_status::playing;
    ending_.clear();
    winner_ = disc::none;
    red_rematch_ = yellow_rematch_ = false;
}

game_result room::result(std::optional<disc> winner, std::string ending) const
{
    game_result r{red_->user_id, yellow_->user_id, std::nullopt, std::move(ending), game_.moves()};
    if (winner)
        r.winner = seat_of(*winner)->user_id;
    return r;
}

std::variant<std::optional<game_result>, move_error> room::play(std::int64_t user_id, int column,
                                                                clock::duration now)
{
    if (status_ != room_status::playing)
        return move_error::game_over;
    auto color = color_of(user_id);
    if (auto error = game_.play(color, column))
        return *error;
    columns_.push_back(column);
    if (!game_.over()) {
        if (clock_)
            clock_->pass(now);
        return std::nullopt;
    }

    status_ = room_status::over;
    if (clock_)
        clock_->stop(now);
    if (game_.draw()) {
        ending_ = "draw";
        return result(std::nullopt, ending_);
    }
    ending_ = "connect";
    winner_ = color;
    winner_name_ = seat_of(color)->name;
    loser_name_ = seat_of(opponent(color))->name;
    return result(color, ending_);
}

bool room::offer_rematch(std::int64_t user_id, clock::duration now)
{
    auto color = color_of(user_id);
    if (status_ != room_status::over || has_free_seat() || color == disc::none)
        return false;
    (color == disc::red ? red_rematch_ : yellow_rematch_) = true;
    if (!red_rematch_ || !yellow_rematch_)
        return false;
    std::swap(red_, yellow_);
    start_game(now);
    return true;
}

std::optional<game_result> room::vacate(std::int64_t user_id, std::string_view ending, clock::duration now)
{
    auto color = color_of(user_id);
    if (color == disc::none)
        return std::nullopt;
    std::optional<game_result> finished;
    if (status_ == room_status::playing) {
        auto winner = opponent(color);
        finished = result(winner, std::string(ending));
        status_ = room_status::over;
        if (clock_)
            clock_->stop(now);
        ending_ = ending;
        winner_ = winner;
        winner_name_ = seat_of(winner)->name;
        loser_name_ = seat_of(color)->name;
    }
    (color == disc::red ? red_ : yellow_).reset();
    red_rematch_ = yellow_rematch_ = false;
    away_.erase(user_id);
    return finished;
}

std::vector<std::int64_t> room::members() const
{
    std::vector<std::int64_t> ids;
    for (const auto* s : {&red_, &yellow_})
        if (*s)
            ids.push_back((*s)->user_id);
    for (const auto& [id, name] : spectators_)
        ids.push_back(id);
    return ids;
}

std::vector<std::int64_t> room::spectator_ids() const
{
    std::vector<std::int64_t> ids;
    for (const auto& [id, name] : spectators_)
        ids.push_back(id);
    return ids;
}

std::optional<clock::duration> room::next_deadline() const
{
    std::optional<clock::duration> next;
    for (const auto& [id, deadline] : away_)
        if (!next || deadline < *next)
            next = deadline;
    if (auto flag_at = clock_ && status_ == room_status::playing ? clock_->deadline() : std::nullopt)
        if (!next || *flag_at < *next)
            next = flag_at;
    return next;
}

bool room::flagged(clock::duration now) const
{
    return status_ == room_status::playing && clock_ && clock_->flagged(now);
}

std::optional<game_result> room::flag(clock::duration now)
{
    if (!flagged(now))
        return std::nullopt;
    auto loser = clock_->running();
    clock_->stop(now);
    auto winner = opponent(loser);
    status_ = room_status::over;
    ending_ = "time";
    winner_ = winner;
    winner_name_ = seat_of(winner)->name;
    loser_name_ = seat_of(loser)->name;
    red_rematch_ = yellow_rematch_ = false;
    return result(winner, ending_);
}

std::optional<std::int64_t> room::overdue(clock::duration now) const
{
    for (const auto& [id, deadline] : away_)
        if (deadline <= now)
            return id;
    return std::nullopt;
}

std::string room::message(clock::duration now) const
{
    switch (status_) {
    case room_status::waiting:
        return waiting_text(code_);
    case room_status::playing:
        for (const auto& [user_id, away] : away_) {
            return seat_of(color_of(user_id))->name + " disconnected: " +
                   std::to_string(seconds_left(away, now)) + " s to come back";
        }
        return seat_of(game_.turn())->name + " to play";
    case room_status::over:
        break;
    }
    std::string text;
    if (ending_ == "draw")
        text = "Draw.";
    else if (ending_ == "resign")
        text = loser_name_ + " left; " + winner_name_ + " wins.";
    else if (ending_ == "forfeit")
        text = loser_name_ + " did not come back; " + winner_name_ + " wins.";
    else if (ending_ == "time")
        text = loser_name_ + " ran out of time; " + winner_name_ + " wins.";
    else
        text = winner_name_ + " wins!";
    if (has_free_seat())
        text += " " + waiting_text(code_);
    return text;
}

room_state room::state(clock::duration now) const
{
    room_state out{.code = code_,
                   .status = status_,
                   .red = name_of(red_),
                   .yellow = name_of(yellow_),
                   .turn = status_ == room_status::playing ? std::string(to_string(game_.turn())) : std::string(),
                   .moves = game_.moves(),
                   .winner = std::string(to_string(winner_)),
                   .ending = ending_,
                   .line = game_.winning_cells(),
                   .message = message(now),
                   .columns = columns_};
    for (int row = 0; row < connect_four::rows; ++row) {
        auto& cells = out.board.emplace_back();
        for (int column = 0; column < connect_four::columns; ++column)
            cells.emplace_back(to_string(game_.at(column, row)));
    }
    for (const auto& [id, name] : spectators_)
        out.spectators.push_back(name);
    if (red_rematch_)
        out.rematch.push_back(player_color::red);
    if (yellow_rematch_)
        out.rematch.push_back(player_color::yellow);
    for (const auto& [user_id, deadline] : away_) {
        auto color = color_of(user_id);
        out.away.push_back({.color = color_name(color),
                            .name = seat_of(color)->name,
                            .seconds = seconds_left(deadline, now)});
    }
    if (status_ != room_status::waiting)
        out.last = game_.last_move();
    if (clock_) {
        auto ms = [&](disc color) { return clock_->left(color, now).count(); };
        out.clock = clock_state{
            .seconds = std::chrono::duration_cast<std::chrono::seconds>(clock_->per_player()).count(),
            .red_ms = ms(disc::red),
            .yellow_ms = ms(disc::yellow)};
        if (clock_->running() != disc::none)
            out.clock->running = color_name(clock_->running());
    }
    return out;
}

room_summary room::summary() const
{
    room_summary out{.code = code_,
                     .host = red_ ? red_->name : yellow_ ? yellow_->name : std::string(),
                     .status = has_free_seat() ? room_status::waiting : status_,
                     .spectators = spectators_.size()};
    for (const auto* s : {&red_, &yellow_})
        if (*s)
            out.players.push_back((*s)->name);
    if (clock_)
        out.clock_seconds = std::chrono::duration_cast<std::chrono::seconds>(clock_->per_player()).count();
    return out;
}

} // namespace corio_game
