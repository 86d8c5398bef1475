#include "play/turn_clock.hpp"

#include <algorithm>

namespace corio_game {

namespace json = boost::json;

turn_clock::turn_clock(clock::duration per_player)
    : per_player_(per_player), red_(per_player), yellow_(per_player)
{
}

void turn_clock::start(disc first, clock::duration now)
{
    red_ = yellow_ = per_player_;
    running_ = first;
    since_ = now;
}

void turn_clock::pass(clock::duration now)
{
    if (running_ == disc::none)
        return;
    auto mover = running_;
    stop(now);
    running_ = opponent(mover);
    since_ = now;
}

void turn_clock::stop(clock::duration now)
{
    if (running_ == disc::none)
        return;
    bank(running_) = left(running_, now);
    running_ = disc::none;
}

clock::duration turn_clock::left(disc color, clock::duration now) const
{
    auto have = bank(color);
    if (color == running_ && running_ != disc::none)
        have -= std::max(now - since_, clock::duration{0});
    return std::max(have, clock::duration{0});
}

std::optional<clock::duration> turn_clock::deadline() const
{
    if (running_ == disc::none)
        return std::nullopt;
    return since_ + bank(running_);
}

bool turn_clock::flagged(clock::duration now) const
{
    auto due = deadline();
    return due && *due <= now;
}

json::object turn_clock::to_json() const
{
    return {{"per_player", per_player_.count()},
            {"red", red_.count()},
            {"yellow", yellow_.count()},
            {"running", to_string(running_)},
            {"since", since_.count()}};
}

std::optional<turn_clock> turn_clock::from_json(const json::value& v)
{
    auto* o = v.if_object();
    if (!o)
        return std::nullopt;
    auto number = [o](std::string_view key) -> std::optional<std::int64_t> {
        auto* x = o->if_contains(key);
        if (!x || !x->is_int64())
            return std::nullopt;
        return x->as_int64();
    };
    auto per_player = number("per_player");
    auto red = number("red");
    auto yellow = number("yellow");
    auto since = number("since");
    auto* running = o->if_contains("running");
    if (!per_player || !red || !yellow || !since || !running || !running->is_string())
        return std::nullopt;
    if (*per_player <= 0 || *red < 0 || *yellow < 0 || *red > *per_player || *yellow > *per_player)
        return std::nullopt;
    turn_clock c{clock::duration(*per_player)};
    c.red_ = clock::duration(*red);
    c.yellow_ = clock::duration(*yellow);
    c.since_ = clock::duration(*since);
    const auto& name = running->as_string();
    if (name == "red")
        c.running_ = disc::red;
    else if (name == "yellow")
        c.running_ = disc::yellow;
    else if (!name.empty())
        return std::nullopt;
    return c;
}

} // namespace corio_game
