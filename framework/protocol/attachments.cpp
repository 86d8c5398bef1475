#include <corio/protocol/attachments.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

namespace corio::protocol {

namespace {

namespace json = boost::json;

// The `num` of a placeholder as an index, if it is a non-negative integer.
// JavaScript has one number type, so an integral double (`1.0`) counts too.
std::optional<std::size_t> as_index(const json::value& num) noexcept
{
    switch (num.kind()) {
    case json::kind::int64:
        if (num.get_int64() < 0)
            return std::nullopt;
        return static_cast<std::size_t>(num.get_int64());
    case json::kind::uint64:
        if (num.get_uint64() > std::numeric_limits<std::size_t>::max())
            return std::nullopt;
        return static_cast<std::size_t>(num.get_uint64());
    case json::kind::double_: {
        const double d = num.get_double();
        // 2^53: beyond it JavaScript cannot tell integers apart.
        if (!(d >= 0 && d <= 9007199254740992.0) || std::trunc(d) != d)
            return std::nullopt;
        return static_cast<std::size_t>(d);
    }
    default:
        return std::nullopt;
    }
}

} // namespace

bool is_placeholder_object(const boost::json::object& o) noexcept
{
    const auto* flag = o.if_contains("_placeholder");
    return flag != nullptr && flag->is_bool() && flag->get_bool();
}

boost::json::value make_placeholder(std::size_t num)
{
    json::object o;
    o.reserve(2);
    o.emplace("_placeholder", true);
    // int64 where it fits, as the parser stores small non-negative integers,
    // so a built placeholder compares equal to a decoded one.
    if (num <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        o.emplace("num", static_cast<std::int64_t>(num));
    else
        o.emplace("num", static_cast<std::uint64_t>(num));
    return o;
}

std::optional<std::size_t> placeholder_index(const boost::json::value& v) noexcept
{
    const auto* o = v.if_object();
    if (o == nullptr || !is_placeholder_object(*o))
        return std::nullopt;
    const auto* num = o->if_contains("num");
    if (num == nullptr)
        return std::nullopt;
    return as_index(*num);
}

result<void> reconstruct_check(const boost::json::value& data, std::size_t attachment_count)
{
    const bool valid = for_each_placeholder(data, [&](const json::value& placeholder) {
        const auto index = placeholder_index(placeholder);
        return index && *index < attachment_count;
    });
    if (!valid)
        return error::invalid_placeholder;
    return {};
}

boost::json::value attachment_builder::add(std::string bytes)
{
    buffers_.push_back(std::move(bytes));
    return make_placeholder(buffers_.size() - 1);
}

} // namespace corio::protocol
