#pragma once

#include <string>

namespace corio {

/// Binary data in event arguments: a Buffer/ArrayBuffer in JavaScript, bytes
/// in Python. Travels as a Socket.IO binary attachment.
struct binary {
    std::string bytes;

    friend bool operator==(const binary&, const binary&) = default;
};

} // namespace corio
