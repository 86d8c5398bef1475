#include "streams_wire.hpp"

#include "adapter_wire.hpp"

#include <corio/protocol/base64.hpp>
#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/limits.hpp>

#include <algorithm>
#include <charconv>
#include <set>

namespace corio::redis::streams_wire {

namespace json = boost::json;

namespace {

/// The digits of `text`, all of it, as a number.
std::optional<std::uint64_t> to_number(std::string_view text) noexcept
{
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return n;
}

/// A session's rooms and data sit one and two levels down.
constexpr std::size_t session_depth = 2;

} // namespace

std::vector<std::string> entry_fields(std::string_view uid, std::string_view nsp, sharded_wire::message_type type,
                                      const json::object& data, const std::vector<std::string>& attachments)
{
    std::vector<std::string> out;
    out.reserve(8);
    out.emplace_back("uid");
    out.emplace_back(uid);
    out.emplace_back("nsp");
    out.emplace_back(nsp);
    out.emplace_back("type");
    out.emplace_back(std::to_string(static_cast<int>(type)));
    out.emplace_back("data");
    if (attachments.empty())
        out.push_back(protocol::to_json(data));
    else
        out.push_back(protocol::base64_encode(protocol::msgpack::encode(data, attachments)));
    return out;
}

std::optional<int> to_type(std::string_view field) noexcept
{
    int n = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), n);
    if (ec != std::errc{} || end != field.data() + field.size() || field.empty())
        return std::nullopt;
    return n;
}

boost::system::result<protocol::msgpack::document> decode_data(std::string_view data, std::size_t envelope_depth)
{
    boost::system::result<protocol::msgpack::document> doc = protocol::error::invalid_payload;
    if (data.starts_with('{')) {
        doc = wire::decode_message(data, envelope_depth);
    } else {
        auto bytes = protocol::base64_decode(data);
        if (!bytes)
            return bytes.error();
        // Never JSON: a msgpack map does not start with `{` or `[`.
        if (bytes->empty() || bytes->front() == '{' || bytes->front() == '[')
            return protocol::error::invalid_msgpack;
        doc = wire::decode_message(*bytes, envelope_depth);
    }
    if (doc && !doc->value.is_object())
        return protocol::error::invalid_payload;
    return doc;
}

bool is_entry_id(std::string_view offset) noexcept
{
    auto dash = offset.find('-');
    if (dash == std::string_view::npos)
        return false;
    auto digits = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    return digits(offset.substr(0, dash)) && digits(offset.substr(dash + 1));
}

std::string next_entry_id(std::string_view id)
{
    auto dash = id.find('-');
    auto ms = id.substr(0, dash);
    auto seq = to_number(id.substr(dash + 1));
    // A sequence at its largest: the next id is the next millisecond's first.
    if (!seq || *seq == UINT64_MAX)
        return std::to_string(to_number(ms).value_or(0) + 1) + "-0";
    return std::string(ms) + "-" + std::to_string(*seq + 1);
}

std::string encode_session(const persisted_session& s)
{
    json::object m;
    m.reserve(4);
    m.emplace("sid", s.sid);
    m.emplace("pid", s.pid);
    m.emplace("rooms", wire::to_array(s.rooms));
    m.emplace("data", s.data);
    return protocol::base64_encode(protocol::msgpack::encode(m));
}

std::optional<persisted_session> decode_session(std::string_view value)
{
    auto bytes = protocol::base64_decode(value);
    if (!bytes)
        return std::nullopt;
    auto doc = protocol::msgpack::decode(*bytes, protocol::decode_limits{}.max_json_depth + session_depth);
    auto* m = doc ? doc->value.if_object() : nullptr;
    if (!m)
        return std::nullopt;
    auto sid = wire::string_field(*m, "sid");
    auto pid = wire::string_field(*m, "pid");
    if (sid.empty() || pid.empty())
        return std::nullopt;
    persisted_session s{.sid = std::string(sid), .pid = std::string(pid), .rooms = wire::rooms_field(*m)};
    if (auto* data = m->if_contains("data"))
        s.data = std::move(*data);
    return s;
}

bool reaches(const std::vector<std::string>& rooms, const broadcast_options& opts)
{
    auto in = [&](const std::set<std::string>& set) {
        return std::any_of(rooms.begin(), rooms.end(), [&](const std::string& r) { return set.contains(r); });
    };
    return (opts.rooms.empty() || in(opts.rooms)) && !in(opts.except);
}

} // namespace corio::redis::streams_wire
