#include "report_values.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

namespace loadgen {

double rounded(double x, int decimals)
{
    double scale = std::pow(10.0, decimals);
    return std::round(x * scale) / scale;
}

double seconds(std::chrono::nanoseconds d)
{
    return std::chrono::duration<double>(d).count();
}

double per_second(std::uint64_t count, double seconds)
{
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

boost::json::value or_null(std::optional<std::uint64_t> value)
{
    if (!value)
        return nullptr;
    return *value;
}

boost::json::value or_null(std::optional<double> value)
{
    if (!value)
        return nullptr;
    return rounded(*value);
}

namespace {

void append_json(std::string& out, const boost::json::value& value)
{
    switch (value.kind()) {
    case boost::json::kind::object: {
        out += '{';
        bool first = true;
        for (auto& [key, item] : value.get_object()) {
            if (!first)
                out += ',';
            first = false;
            out += boost::json::serialize(boost::json::string_view(key));
            out += ':';
            append_json(out, item);
        }
        out += '}';
        return;
    }
    case boost::json::kind::array: {
        out += '[';
        bool first = true;
        for (auto& item : value.get_array()) {
            if (!first)
                out += ',';
            first = false;
            append_json(out, item);
        }
        out += ']';
        return;
    }
    case boost::json::kind::double_: {
        double d = value.get_double();
        if (!std::isfinite(d)) {
            out += "null";
            return;
        }
        char digits[32];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, d);
        out.append(digits, end);
        return;
    }
    default:
        out += boost::json::serialize(value);
        return;
    }
}

} // namespace

std::string to_json_text(const boost::json::value& value)
{
    std::string out;
    append_json(out, value);
    return out;
}

} // namespace loadgen
