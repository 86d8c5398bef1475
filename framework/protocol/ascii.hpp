#pragma once
// Character classes of the protocols' ASCII syntax (packet ids, JSON
// numbers), independent of the C locale.

namespace corio::protocol {

constexpr bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

} // namespace corio::protocol
