#pragma once
// The contracts the codegen tests describe and generate: every kind of type
// (nested structs, optional members and parameters, an enum, binary, a map,
// vectors, boost::json values), acks, both directions, and a second namespace
// sharing a struct with the first.

#include <corio/binary.hpp>
#include <corio/contract.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sample {

enum class color { red, yellow };
BOOST_DESCRIBE_ENUM(color, red, yellow)

struct seat {
    int index = 0;
    std::optional<std::string> player;
    color disc = color::red;
};
BOOST_DESCRIBE_STRUCT(seat, (), (index, player, disc))

struct room_info {
    std::string code;
    std::vector<seat> seats;
    std::map<std::string, std::int64_t> scores;
    std::optional<double> rating;
};
BOOST_DESCRIBE_STRUCT(room_info, (), (code, seats, scores, rating))

struct create_room : corio::client_to_server<"create_room", corio::ack<room_info>(std::string name, int seats)> {
    static constexpr std::array parameter_names{"name", "seats"};
};
struct leave : corio::client_to_server<"leave", void(std::optional<std::string> reason)> {
    static constexpr std::array parameter_names{"reason"};
};
struct upload : corio::client_to_server<"upload:avatar", corio::ack<bool>(corio::binary, std::optional<int>)> {};
struct room_update : corio::server_to_client<"room_update", void(room_info, std::vector<std::optional<color>>)> {};
struct ping : corio::server_to_client<"ping", corio::ack<std::optional<std::string>>()> {};
struct raw : corio::server_to_client<"raw", void(boost::json::value, boost::json::object, boost::json::array)> {};
using lobby = corio::contract<create_room, leave, upload, room_update, ping, raw>;

struct kick : corio::client_to_server<"kick", void(seat)> {
    static constexpr std::array parameter_names{"target"};
};
struct audit : corio::server_to_client<"audit", void(std::string, std::map<std::string, std::vector<double>>)> {};
using admin = corio::contract<kick, audit>;

} // namespace sample
