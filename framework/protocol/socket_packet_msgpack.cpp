// socket.io-msgpack-parser 3.0.x: a packet is the MessagePack map of the
// JavaScript packet object, {type, nsp, data, id}, in one binary message.

#include "socket_packet_msgpack.hpp"

#include <corio/protocol/attachments.hpp>
#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/msgpack.hpp>

#include "socket_packet_checks.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corio::protocol {

namespace {

namespace json = boost::json;

// The map's keys, each a fixstr.
constexpr std::string_view type_key = "\xa4type";
constexpr std::string_view nsp_key = "\xa3nsp";
constexpr std::string_view data_key = "\xa4\x64\x61\x74\x61"; // "data"
constexpr std::string_view id_key = "\xa2id";

// A non-negative integer value, whichever width the wire gave it.
std::optional<std::uint64_t> as_unsigned(const json::value& v) noexcept
{
    if (v.is_uint64())
        return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0)
        return static_cast<std::uint64_t>(v.get_int64());
    return std::nullopt;
}

// The first integer with more than `digits` decimal digits, or the largest
// uint64 when every uint64 has at most that many.
std::uint64_t first_with_more_digits(std::size_t digits) noexcept
{
    std::uint64_t bound = 1;
    for (std::size_t i = 0; i < digits; ++i) {
        if (bound > std::numeric_limits<std::uint64_t>::max() / 10)
            return std::numeric_limits<std::uint64_t>::max();
        bound *= 10;
    }
    return bound;
}

// nil and notepack's `undefined` stand for a key JavaScript leaves out.
const json::value* present(const json::object& map, std::string_view key) noexcept
{
    const auto* v = map.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

// The attachments exactly as encoding `data` and decoding it again gives
// them: one per placeholder, in document order. The bins a repeated key
// overwrote, and those outside `data`, are gone; a map that looks like a
// placeholder of an earlier bin gets its own copy of the bytes. The
// placeholders in `data` are renumbered to match. Each `num` must be valid.
std::vector<std::string> attachments_in_order(json::value& data, std::vector<std::string>& bins)
{
    std::vector<std::size_t> order;
    for_each_placeholder(data, [&](const json::value& v) {
        order.push_back(*placeholder_index(v));
        return true;
    });
    bool as_is = order.size() == bins.size();
    for (std::size_t i = 0; as_is && i < order.size(); ++i)
        as_is = order[i] == i;
    if (as_is)
        return std::move(bins);

    // A bin's bytes are copied for each of its placeholders but the last,
    // which takes them.
    std::vector<std::size_t> uses(bins.size(), 0);
    for (const std::size_t index : order)
        ++uses[index];
    std::vector<std::string> out;
    out.reserve(order.size());
    for (const std::size_t index : order)
        out.push_back(--uses[index] == 0 ? std::move(bins[index]) : bins[index]);
    std::size_t next = 0;
    for_each_placeholder(data, [&](json::value& v) {
        v = make_placeholder(next++);
        return true;
    });
    return out;
}

} // namespace

std::string encode_msgpack_socket_packet(const socket_packet& p)
{
    if (p.args_text) {
        // Arguments kept as text were checked when decoded: parsed here
        // without a depth bound of their own, into the values they stand for.
        socket_packet values = p;
        values.args_text.reset();
        auto parsed = parse_json(*p.args_text, std::numeric_limits<std::size_t>::max());
        json::array args = std::move(parsed.value().as_array());
        if (p.data)
            args.insert(args.begin(), std::move(*p.data));
        values.data = std::move(args);
        return encode_msgpack_socket_packet(values);
    }
    // Binary travels inline: the binary types are plain EVENT and ACK here.
    auto type = p.type;
    if (type == socket_packet_type::binary_event)
        type = socket_packet_type::event;
    else if (type == socket_packet_type::binary_ack)
        type = socket_packet_type::ack;

    std::string data;
    if (p.data)
        data = msgpack::encode(*p.data, p.attachments);
    const std::string nsp = msgpack::encode(json::string(p.nsp));

    std::string out;
    out.reserve(32 + nsp.size() + data.size()); // with the keys, the type and an id
    // A fixmap of 2 to 4 entries.
    out.push_back(static_cast<char>(0x82 + (p.data ? 1 : 0) + (p.id ? 1 : 0)));
    out.append(type_key);
    out.push_back(static_cast<char>(type)); // a positive fixint
    out.append(nsp_key);
    out.append(nsp);
    if (p.data) {
        out.append(data_key);
        out.append(data);
    }
    if (p.id) {
        out.append(id_key);
        out.append(msgpack::encode(json::value(*p.id)));
    }
    return out;
}

result<socket_packet> decode_msgpack_socket_packet(std::string_view bytes, const decode_limits& limits)
{
    // The packet map and an EVENT's or ACK's array hold the arguments, whose
    // own depth is what the limit counts (as with the json parser).
    std::size_t max_depth = limits.max_json_depth;
    if (max_depth <= std::numeric_limits<std::size_t>::max() - 2)
        max_depth += 2;
    auto doc = msgpack::decode(bytes, max_depth);
    if (!doc)
        return doc.error();
    auto* map = doc->value.if_object();
    if (!map)
        return error::invalid_payload;

    socket_packet p;
    const auto* type = present(*map, "type");
    const auto type_number = type ? as_unsigned(*type) : std::nullopt;
    if (!type_number || *type_number > static_cast<std::uint64_t>(socket_packet_type::connect_error))
        return error::unknown_socket_packet_type;
    p.type = static_cast<socket_packet_type>(*type_number);

    const auto* nsp = present(*map, "nsp");
    if (!nsp || !nsp->is_string() || !nsp->get_string().starts_with('/'))
        return error::invalid_namespace;
    p.nsp = nsp->get_string();

    if (const auto* id = present(*map, "id")) {
        const auto number = as_unsigned(*id);
        if (!number || *number >= first_with_more_digits(limits.max_ack_id_digits))
            return error::invalid_ack_id;
        p.id = *number;
    } else if (p.type == socket_packet_type::ack) {
        return error::invalid_ack_id;
    }

    if (auto* data = map->if_contains("data"); data && !data->is_null()) {
        // A map that looks like a placeholder must point at one of the bins.
        if (auto r = reconstruct_check(*data, doc->attachments.size()); !r)
            return r.error();
        p.data = std::move(*data);
        p.attachments = attachments_in_order(*p.data, doc->attachments);
    }

    if (p.attachments.size() > limits.max_attachments)
        return error::too_many_attachments;
    std::size_t attachment_bytes = 0;
    for (const auto& a : p.attachments)
        attachment_bytes += a.size();
    if (attachment_bytes > limits.max_attachment_bytes)
        return error::attachments_too_large;
    if (auto r = check_payload(p); !r)
        return r.error();
    return p;
}

} // namespace corio::protocol
