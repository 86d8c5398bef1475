#include "packet.hpp"

namespace ceiling::packet {

namespace {

// Ack ids up to 18 digits, as the load generator and socket.io-parser's safe integers allow.
constexpr std::size_t max_id_digits = 18;

// `["<name>"` followed by ',' or ']': the event `name`. Returns what follows the name, or an
// empty view for another event.
std::string_view after_event_name(std::string_view array, std::string_view quoted_name)
{
    if (!array.starts_with('[') || array.substr(1, quoted_name.size()) != quoted_name)
        return {};
    auto rest = array.substr(1 + quoted_name.size());
    if (rest.empty() || (rest.front() != ',' && rest.front() != ']'))
        return {};
    return rest;
}

message read_event(std::string_view body)
{
    message m;
    std::size_t digits = 0;
    while (digits < body.size() && body[digits] >= '0' && body[digits] <= '9')
        ++digits;
    if (digits > max_id_digits)
        return m;
    m.ack_id = body.substr(0, digits);
    auto array = body.substr(digits);
    if (array.size() < 2 || array.front() != '[' || array.back() != ']')
        return m;
    if (auto rest = after_event_name(array, R"("echo")"); !rest.empty()) {
        m.what = kind::echo;
        m.arguments = rest.front() == ',' ? rest.substr(1) : rest;
    } else if (auto rest2 = after_event_name(array, R"("join")"); !rest2.empty() && rest2.front() == ',') {
        m.what = kind::join;
        m.arguments = rest2.substr(1, rest2.size() - 2);
    } else if (!after_event_name(array, R"("bcast")").empty()) {
        m.what = kind::bcast;
        m.arguments = array;
    }
    return m;
}

} // namespace

message read(std::string_view text)
{
    if (text.empty())
        return {};
    switch (text.front()) {
    case '3':
        return {.what = text.size() == 1 ? kind::pong : kind::ignore};
    case '1':
        return {.what = text.size() == 1 ? kind::close : kind::ignore};
    case '4':
        break;
    default:
        return {};
    }
    // Socket.IO on namespace "/": the type digit directly after Engine.IO's `4` ("/x," names
    // another namespace).
    if (text.size() < 2)
        return {};
    auto body = text.substr(2);
    switch (text[1]) {
    case '0':
        return {.what = body.empty() || body.front() == '{' ? kind::connect : kind::ignore};
    case '1':
        return {.what = body.empty() ? kind::disconnect : kind::ignore};
    case '2':
        return read_event(body);
    default:
        return {};
    }
}

} // namespace ceiling::packet
