#pragma once

#include <string_view>

namespace corio::detail {

/// Whether `h` has bcrypt's form: "$2a$", "$2b$" or "$2y$", a cost, a salt
/// and a hash.
bool is_bcrypt_hash(std::string_view h) noexcept;

} // namespace corio::detail
