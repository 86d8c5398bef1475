#pragma once
// A Redis reply (RESP2), as the command connection hands it over.

#include <cstdint>
#include <string>
#include <vector>

namespace corio::redis {

struct reply {
    enum class kind { string, status, error, integer, nil, array };

    kind type = kind::nil;
    /// The bytes of a bulk string, status or error; binary-safe.
    std::string str;
    std::int64_t integer = 0;
    std::vector<reply> elements;

    bool is_error() const noexcept { return type == kind::error; }
};

} // namespace corio::redis
