#pragma once
// The contract the contract_*.cpp snippets get wrong, one mistake each.

#include <corio/contract.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct room_info {
    std::string code;
};
BOOST_DESCRIBE_STRUCT(room_info, (), (code))

struct game_state {
    std::string room;
    int turn = 0;
};
BOOST_DESCRIBE_STRUCT(game_state, (), (room, turn))

struct create_room : corio::client_to_server<"create_room", corio::ack<room_info>(std::string name, int seats)> {};
struct new_game : corio::server_to_client<"new_game", void(game_state state)> {};
using lobby = corio::contract<create_room, new_game>;

// An event of another namespace.
struct chat_message : corio::client_to_server<"chat_message", void(std::string text)> {};
