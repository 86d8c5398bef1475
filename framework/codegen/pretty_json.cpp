#include "pretty_json.hpp"

#include <boost/json/serialize.hpp>

namespace corio::detail {
namespace {

void write_pretty(const boost::json::value& value, std::string& out, std::size_t depth)
{
    const auto newline = [&](std::size_t indent) {
        out += '\n';
        out.append(2 * indent, ' ');
    };
    if (const auto* object = value.if_object(); object && !object->empty()) {
        out += '{';
        bool first = true;
        for (const auto& member : *object) {
            if (!first)
                out += ',';
            first = false;
            newline(depth + 1);
            out += boost::json::serialize(boost::json::string_view(member.key()));
            out += ": ";
            write_pretty(member.value(), out, depth + 1);
        }
        newline(depth);
        out += '}';
    } else if (const auto* array = value.if_array(); array && !array->empty()) {
        out += '[';
        bool first = true;
        for (const auto& element : *array) {
            if (!first)
                out += ',';
            first = false;
            newline(depth + 1);
            write_pretty(element, out, depth + 1);
        }
        newline(depth);
        out += ']';
    } else {
        // Scalars, {} and [].
        out += boost::json::serialize(value);
    }
}

} // namespace

std::string pretty_json(const boost::json::value& value)
{
    std::string out;
    write_pretty(value, out, 0);
    out += '\n';
    return out;
}

} // namespace corio::detail
