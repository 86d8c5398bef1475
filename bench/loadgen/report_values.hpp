// Small conversions shared by the scenarios' reports.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace loadgen {

/// `x` rounded to `decimals` places, so the report stays readable.
double rounded(double x, int decimals = 3);

/// Seconds as a double.
double seconds(std::chrono::nanoseconds d);

/// `count / seconds`, 0 when no time passed.
double per_second(std::uint64_t count, double seconds);

/// The value, or JSON null when it could not be measured.
boost::json::value or_null(std::optional<std::uint64_t> value);
boost::json::value or_null(std::optional<double> value);

/// `value` as JSON text, with numbers written the short way (2.5, 110000)
/// rather than Boost.JSON 1.81's exponent form (2.5E0, 1.1E5).
std::string to_json_text(const boost::json::value& value);

} // namespace loadgen
