#pragma once

#include <string>

namespace corio::engine {

/// A fresh id: 20 base64url characters made from 15 bytes of the kernel's
/// CSPRNG (getrandom), as Engine.IO session ids and socket ids are; the
/// bytes are fetched for several ids at a time into a per-thread buffer,
/// each byte used once (unpredictable as getrandom's own output). Thread
/// safe. Throws boost::system::system_error if the kernel refuses.
std::string make_session_id();

} // namespace corio::engine
