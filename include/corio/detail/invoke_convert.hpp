#pragma once
// The pure core of typed handlers (corio/invoke.hpp): event arguments to a
// handler's parameter values, and a handler's result to ack arguments. No
// I/O, no server: testable on its own (tests/socketio/invoke_test.cpp).

#include <corio/arguments.hpp>
#include <corio/binary.hpp>
#include <corio/detail/json_checks.hpp>
#include <corio/detail/json_read.hpp>
#include <corio/protocol/attachments.hpp>
#include <corio/protocol/json_writer.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/array.hpp>
#include <boost/json/conversion.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace corio::detail {

/// Why an event's arguments did not convert to a handler's parameters.
struct argument_error {
    /// The argument at fault, counted from 1 after the event name.
    std::size_t position = 0;
    /// For people (logs and the client's error ack), e.g.
    /// `argument 2 of "create_room": expected a string, got 42`.
    std::string message;

    friend bool operator==(const argument_error&, const argument_error&) = default;
};

/// For boost::system::result<T, argument_error>::value().
[[noreturn]] inline void throw_exception_from_error(const argument_error& e, const boost::source_location&)
{
    throw std::invalid_argument(e.message);
}

/// The values of a handler's parameters (cv-ref-qualifiers removed), or why
/// there are none.
template <class... Params>
using converted_arguments = boost::system::result<std::tuple<Params...>, argument_error>;

/// `text` as a JSON string for a message, cut after `limit` bytes (at a
/// character boundary) and marked with "..." when longer: names from the
/// wire must not blow up logs.
inline std::string quoted(std::string_view text, std::size_t limit = 64)
{
    if (text.size() <= limit)
        return protocol::to_json(boost::json::value(text));
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return protocol::to_json(boost::json::value(text.substr(0, cut))) + "...";
}

// What a value is, for messages: its kind, the number itself, or binary data.
inline std::string describe_value(const boost::json::value& v)
{
    if (protocol::placeholder_index(v))
        return "binary data";
    switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return v.get_bool() ? "true" : "false";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return protocol::to_json(v);
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
    }
    return "a value";
}

template <class T>
std::string number_text(T n)
{
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    return ec == std::errc() ? std::string(buf, end) : std::string();
}

/// The members a described struct's object must have, for messages:
/// "exactly the members x, y", "exactly the members name, tags, and
/// optionally topic" (std::optional members may be left out), or "only the
/// optional members a, b".
template <class T>
std::string members_text()
{
    std::string required;
    std::string optional;
    boost::mp11::mp_for_each<described_members<T>>([&](auto d) {
        using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
        auto& names = is_optional<member_type>::value ? optional : required;
        if (!names.empty())
            names += ", ";
        names += d.name;
    });
    if (optional.empty())
        return "exactly the members " + required;
    if (required.empty())
        return "only the optional members " + optional;
    return "exactly the members " + required + ", and optionally " + optional;
}

/// What a parameter of type T accepts, for messages: "a string", "an integer
/// from 0 to 255", ...
template <class T>
std::string expected_text()
{
    if constexpr (std::is_same_v<T, bool>)
        return "a boolean";
    else if constexpr (std::is_integral_v<T>)
        return "an integer from " + number_text(std::numeric_limits<T>::lowest()) + " to " +
               number_text(std::numeric_limits<T>::max());
    else if constexpr (std::is_same_v<T, float>)
        return "a number from " + number_text(std::numeric_limits<T>::lowest()) + " to " +
               number_text(std::numeric_limits<T>::max());
    else if constexpr (std::is_floating_point_v<T>)
        return "a number";
    else if constexpr (std::is_same_v<T, binary>)
        return "binary data";
    else if constexpr (std::is_same_v<T, boost::json::value>)
        return "a value";
    else if constexpr (std::is_same_v<T, boost::json::object>)
        return "an object";
    else if constexpr (std::is_same_v<T, boost::json::array>)
        return "an array";
    else if constexpr (is_optional<T>::value)
        return expected_text<typename T::value_type>() + " or null";
    else if constexpr (boost::json::is_string_like<T>::value)
        return "a string";
    else if constexpr (boost::json::is_described_class<T>::value)
        return "an object with " + members_text<T>();
    else if constexpr (boost::json::is_described_enum<T>::value) {
        std::string names;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto d) {
            names += names.empty() ? "one of \"" : ", \"";
            names += d.name;
            names += '"';
        });
        return names;
    } else if constexpr (boost::json::is_map_like<T>::value)
        return "an object";
    else if constexpr (boost::json::is_sequence_like<T>::value)
        return "an array";
    else if constexpr (boost::json::is_tuple_like<T>::value)
        return "an array of " + std::to_string(std::tuple_size_v<T>) + " values";
    else
        return "a value of the parameter's type";
}

template <class T>
std::string mismatch_text(const boost::json::value& v, boost::system::error_code ec);

/// Converts with read_json (boost::json::try_value_to, except that a
/// described struct may lack its std::optional members), turning a
/// conversion that throws system_error (a user's tag_invoke) into an error
/// code too.
template <class T>
boost::system::result<T> try_convert(const boost::json::value& v)
{
    try {
        auto r = read_json<T>(v);
        if constexpr (std::is_floating_point_v<T>) {
            // JSON numbers are doubles; a float cannot hold every one.
            if (r && !std::isfinite(*r))
                return {boost::system::in_place_error, boost::json::make_error_code(boost::json::error::not_exact)};
        }
        return r;
    } catch (const boost::system::system_error& e) {
        return {boost::system::in_place_error, e.code()};
    }
}

// The first member of a described object that does not convert.
template <class T>
std::string described_mismatch(const boost::json::object& obj)
{
    std::string reason;
    std::size_t known = 0;
    using members = described_members<T>;
    boost::mp11::mp_for_each<members>([&](auto d) {
        using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
        auto it = obj.find(d.name);
        if (it == obj.end()) {
            // A missing std::optional member is std::nullopt.
            if (reason.empty() && !is_optional<member_type>::value)
                reason = "member \"" + std::string(d.name) + "\": expected " + expected_text<member_type>() +
                         ", got nothing";
            return;
        }
        ++known;
        if (!reason.empty())
            return;
        auto r = try_convert<member_type>(it->value());
        if (!r)
            reason = "member \"" + std::string(d.name) + "\": " + mismatch_text<member_type>(it->value(), r.error());
    });
    if (reason.empty() && known != obj.size())
        for (const auto& kv : obj) {
            bool is_member = false;
            boost::mp11::mp_for_each<members>([&](auto d) { is_member = is_member || kv.key() == d.name; });
            if (!is_member)
                return "unexpected member " + quoted(kv.key()) + " (expected " + members_text<T>() + ")";
        }
    return reason;
}

/// Why `v` is not a T, after trying to convert it (`ec`): "expected ..., got
/// ...", or for objects and arrays, the member or element at fault.
template <class T>
std::string mismatch_text(const boost::json::value& v, boost::system::error_code ec)
{
    const bool is_binary = protocol::placeholder_index(v).has_value();
    if constexpr (is_optional<T>::value) {
        return mismatch_text<typename T::value_type>(v, ec);
    } else if constexpr (boost::json::is_described_class<T>::value) {
        if (const auto* obj = v.if_object(); obj && !is_binary)
            if (auto reason = described_mismatch<T>(*obj); !reason.empty())
                return reason;
    } else if constexpr (boost::json::is_map_like<T>::value && !std::is_same_v<T, boost::json::object>) {
        if (const auto* obj = v.if_object(); obj && !is_binary)
            for (const auto& kv : *obj)
                if (auto r = try_convert<typename T::mapped_type>(kv.value()); !r)
                    return "member " + quoted(kv.key()) + ": " +
                           mismatch_text<typename T::mapped_type>(kv.value(), r.error());
    } else if constexpr (boost::json::is_sequence_like<T>::value && !boost::json::is_string_like<T>::value &&
                         !std::is_same_v<T, boost::json::array>) {
        if (const auto* arr = v.if_array())
            for (std::size_t i = 0; i < arr->size(); ++i)
                if (auto r = try_convert<typename T::value_type>((*arr)[i]); !r)
                    return "element " + std::to_string(i) + ": " +
                           mismatch_text<typename T::value_type>((*arr)[i], r.error());
    }
    std::string text = "expected " + expected_text<T>() + ", got " + describe_value(v);
    // A value of the right kind that still failed: say what Boost.JSON saw.
    // For a type we cannot describe, always.
    bool right_kind = false;
    if constexpr (boost::json::is_map_like<T>::value || boost::json::is_described_class<T>::value)
        right_kind = v.is_object();
    else if constexpr (boost::json::is_sequence_like<T>::value || boost::json::is_tuple_like<T>::value)
        right_kind = v.is_array();
    else if constexpr (!std::is_arithmetic_v<T> && !boost::json::is_string_like<T>::value &&
                       !boost::json::is_described_enum<T>::value)
        right_kind = true;
    if (ec && right_kind && !is_binary)
        text += " (" + ec.message() + ")";
    return text;
}

/// A mismatch at one argument: the text after `argument N of "event": `.
struct mismatch {
    std::string text;
};

template <class T>
using argument_result = boost::system::result<T, mismatch>;

/// Converts event argument `i` (possibly absent) to T, moving out of `args`
/// what it takes. Binary data is copied: two parameters may name the same
/// attachment.
template <class T>
argument_result<T> convert_argument(arguments& args, std::size_t i)
{
    if constexpr (is_optional<T>::value) {
        if (i >= args.size() || args.values()[i].is_null())
            return {boost::system::in_place_value, T()};
        auto r = convert_argument<typename T::value_type>(args, i);
        if (!r)
            return {boost::system::in_place_error, std::move(r.error())};
        return {boost::system::in_place_value, std::move(*r)};
    } else {
        if (i >= args.size())
            return {boost::system::in_place_error, mismatch{"expected " + expected_text<T>() + ", got nothing"}};
        auto& v = args.values()[i];
        if constexpr (std::is_same_v<T, binary>) {
            auto index = protocol::placeholder_index(v);
            if (!index)
                return {boost::system::in_place_error, mismatch{"expected binary data, got " + describe_value(v)}};
            if (*index >= args.attachments().size())
                return {boost::system::in_place_error,
                        mismatch{"expected binary data, got a placeholder for attachment " + std::to_string(*index) +
                                 " of " + std::to_string(args.attachments().size())}};
            return {boost::system::in_place_value, binary{args.attachments()[*index]}};
        } else if constexpr (std::is_same_v<T, boost::json::value>) {
            return {boost::system::in_place_value, std::move(v)};
        } else if constexpr (std::is_same_v<T, boost::json::object>) {
            if (auto* p = v.if_object())
                return {boost::system::in_place_value, std::move(*p)};
            return {boost::system::in_place_error, mismatch{"expected an object, got " + describe_value(v)}};
        } else if constexpr (std::is_same_v<T, boost::json::array>) {
            if (auto* p = v.if_array())
                return {boost::system::in_place_value, std::move(*p)};
            return {boost::system::in_place_error, mismatch{"expected an array, got " + describe_value(v)}};
        } else if constexpr (std::is_same_v<T, boost::json::string>) {
            if (auto* p = v.if_string())
                return {boost::system::in_place_value, std::move(*p)};
            return {boost::system::in_place_error, mismatch{"expected a string, got " + describe_value(v)}};
        } else {
            auto r = try_convert<T>(v);
            if (!r)
                return {boost::system::in_place_error, mismatch{mismatch_text<T>(v, r.error())}};
            return {boost::system::in_place_value, std::move(*r)};
        }
    }
}

// Renumbers the placeholders in `v` into `out`'s attachments, moving each
// referenced attachment of `from` once. False on a placeholder out of range.
// Walks without recursion, so any depth is safe.
inline bool move_placeholders(boost::json::value& v, std::vector<std::string>& from,
                              std::vector<std::optional<std::size_t>>& renumbered, std::vector<std::string>& out)
{
    return protocol::for_each_placeholder(v, [&](boost::json::value& placeholder) {
        auto index = protocol::placeholder_index(placeholder);
        if (!index)
            return true; // `_placeholder` without a valid `num`: plain JSON here
        if (*index >= from.size())
            return false;
        auto& slot = renumbered[*index];
        if (!slot) {
            slot = out.size();
            out.push_back(std::move(from[*index]));
        }
        placeholder = protocol::make_placeholder(*slot);
        return true;
    });
}

/// The arguments from `first` on, as a fresh `arguments`: its attachments
/// are only those its placeholders reference, renumbered from 0 in order of
/// appearance. From 0, `args` itself, unchanged. Returns the position (from
/// 0) of an argument with a placeholder out of range on failure.
inline boost::system::result<arguments, std::size_t> rest_arguments(arguments& args, std::size_t first)
{
    if (first == 0)
        return {boost::system::in_place_value, std::move(args)};
    boost::json::array values;
    std::vector<std::string> attachments;
    std::vector<std::optional<std::size_t>> renumbered(args.attachments().size());
    for (std::size_t i = first; i < args.size(); ++i) {
        auto& v = args.values()[i];
        if (!args.attachments().empty() && !move_placeholders(v, args.attachments(), renumbered, attachments))
            return {boost::system::in_place_error, i};
        values.push_back(std::move(v));
    }
    return {boost::system::in_place_value, arguments(std::move(values), std::move(attachments))};
}

template <class... Params, std::size_t... I>
converted_arguments<Params...> convert_arguments(arguments& args, std::string_view event, std::index_sequence<I...>)
{
    constexpr std::size_t count = sizeof...(Params);
    std::tuple<std::optional<Params>...> slots;
    std::optional<argument_error> failure;
    auto fail = [&](std::size_t index, const std::string& text) {
        failure = argument_error{index + 1, "argument " + std::to_string(index + 1) + " of " + quoted(event) + ": " + text};
        return false;
    };
    [[maybe_unused]] auto convert_one = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) -> bool {
        using T = std::tuple_element_t<J, std::tuple<Params...>>;
        if constexpr (std::is_same_v<T, arguments>) {
            static_assert(J + 1 == count, "corio::arguments must be the handler's last parameter");
            auto rest = rest_arguments(args, J);
            if (!rest)
                return fail(rest.error(), "invalid binary placeholder");
            std::get<J>(slots).emplace(std::move(*rest));
        } else {
            auto r = convert_argument<T>(args, J);
            if (!r)
                return fail(J, r.error().text);
            std::get<J>(slots).emplace(std::move(*r));
        }
        return true;
    };
    if (!(convert_one(std::integral_constant<std::size_t, I>()) && ...))
        return {boost::system::in_place_error, std::move(*failure)};
    return {boost::system::in_place_value, std::move(*std::get<I>(slots))...};
}

/// Converts an event's arguments to a handler's parameter types, by the rules
/// of corio/invoke.hpp; `event` names the event in error messages.
///
/// Params are plain types (no references, no cv). Arguments beyond the
/// parameters are ignored. A json::value (object, array) parameter receives
/// the raw JSON: a binary value in it is a placeholder, whose bytes it cannot
/// reach. A trailing corio::arguments receives the remaining arguments with
/// their own attachments (see rest_arguments).
template <class... Params>
converted_arguments<Params...> convert_arguments(arguments&& args, std::string_view event)
{
    if constexpr (std::is_same_v<std::tuple<Params...>, std::tuple<arguments>>)
        // All of them, as they came (rest_arguments from the first): moved
        // once, into the result, not through an optional slot.
        return {boost::system::in_place_value, std::move(args)};
    else if constexpr ((check_parameter_type<Params>() && ...))
        return convert_arguments<Params...>(args, event, std::index_sequence_for<Params...>());
    else
        return {boost::system::in_place_error, argument_error{}};
}

/// A handler's result as its ack's arguments: corio::arguments as they are,
/// anything else (corio::binary included) as the single argument.
template <class R>
arguments to_ack_arguments(R&& result)
{
    if constexpr (std::is_same_v<std::remove_cvref_t<R>, arguments>)
        return std::forward<R>(result);
    else
        return arguments::of(std::forward<R>(result));
}

} // namespace corio::detail
