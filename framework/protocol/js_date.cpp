#include "js_date.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace corio::protocol {

namespace {

// ECMAScript TimeClip: the largest time value a Date holds, in milliseconds.
constexpr double max_time_value = 8.64e15;
constexpr std::int64_t ms_per_day = 86'400'000;

struct civil_date {
    std::int64_t year;
    unsigned month; // 1-12
    unsigned day;   // 1-31
};

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The proleptic Gregorian date `days` after 1970-01-01. The calendar repeats
// every 400 years (146097 days), so the day is placed in a 400-year era that
// starts on a 1 March, where leap days fall at the end of a year and each
// month's start is a linear function of its index from March.
// std::chrono::year stops at 32767, short of JavaScript's +-275760.
civil_date civil_from_days(std::int64_t days)
{
    constexpr std::int64_t days_per_era = 146'097;
    // 0000-03-01 is 719468 days before the epoch.
    const std::int64_t shifted = days + 719'468;
    const std::int64_t era = floor_div(shifted, days_per_era);
    const std::int64_t day_of_era = shifted - era * days_per_era; // [0, 146096]
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;                 // [0, 399]
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365]
    const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;                                       // [0, 11]
    const auto day = static_cast<unsigned>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    const auto month = static_cast<unsigned>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

} // namespace

std::optional<std::string> js_date_json(double ms)
{
    if (!std::isfinite(ms) || std::fabs(ms) > max_time_value)
        return std::nullopt;
    const auto time = static_cast<std::int64_t>(std::trunc(ms));
    const std::int64_t days = floor_div(time, ms_per_day);
    const std::int64_t in_day = time - days * ms_per_day;
    const civil_date date = civil_from_days(days);

    char year[24]; // room for any int64, though |year| <= 275760
    if (date.year >= 0 && date.year <= 9999)
        std::snprintf(year, sizeof year, "%04lld", static_cast<long long>(date.year));
    else
        std::snprintf(year, sizeof year, "%c%06lld", date.year < 0 ? '-' : '+',
                      static_cast<long long>(date.year < 0 ? -date.year : date.year));
    char text[80];
    const int n =
        std::snprintf(text, sizeof text, "%s-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", year, date.month, date.day,
                      static_cast<long long>(in_day / 3'600'000), static_cast<long long>(in_day / 60'000 % 60),
                      static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
    return std::string(text, static_cast<std::size_t>(n));
}

} // namespace corio::protocol
