#pragma once
// Where a Redis server is and how to log in: parsed from a URL.

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace corio::redis {

struct endpoint {
    /// TCP host and port; unused when `unix_path` is set.
    std::string host = "127.0.0.1";
    std::string port = "6379";
    /// A Unix socket path (from `unix://`), empty for TCP.
    std::string unix_path;
    /// AUTH: with a user, `AUTH user password`; with only a password,
    /// `AUTH password`; with neither, no AUTH.
    std::string user;
    std::string password;
    /// SELECT after connecting when not 0.
    int db = 0;
};

/// Parses `redis://[[user]:password@]host[:port][/db]` and
/// `unix://[[user]:password@]/path/to/socket[?db=N]`; percent-escapes in the
/// user and password are decoded. Fails with error::invalid_url.
boost::system::result<endpoint> parse_url(std::string_view url);

} // namespace corio::redis
