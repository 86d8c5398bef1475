#pragma once

#include <string>

namespace corio::engine {

/// A fresh id: 20 base64url characters made from 15 bytes of the kernel's
/// CSPRNG (getrandom), as Engine.IO session ids and socket ids are. Thread
/// safe. Throws boost::system::system_error if the kernel refuses.
std::string make_session_id();

} // namespace corio::engine
