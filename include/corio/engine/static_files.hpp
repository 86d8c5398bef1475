#pragma once
// Serving the files of a directory under a path: a built front end, such as
// the Admin UI's (corio/admin_ui.hpp), next to the Engine.IO endpoints.

#include <corio/engine/http_endpoint.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace corio::engine {

/// Answers GET and HEAD of `path` + a file's path below `root` with that
/// file, read at each request; `path` itself serves `root`/index.html.
/// Paths that are not plain relative ones ("..", ".", empty segments,
/// backslashes, control characters) and symbolic links that lead out of
/// `root` get 404, as missing files do; other methods 405.
///
/// @par Thread safety
/// As http_endpoint: many connections at once.
class static_files final : public http_endpoint {
public:
    /// `path` with its trailing slash, e.g. "/admin-ui/".
    static_files(std::string path, std::string root);

    const std::string& path() const noexcept override { return path_; }
    bool serves_below() const noexcept override { return true; }
    std::size_t body_limit() const noexcept override { return 0; }
    boost::asio::awaitable<bool> handle_request(http_stream& stream, http_request req,
                                                std::string remote_address) override;

private:
    std::string path_;
    std::string root_;
};

/// The Content-Type for a file name's extension (text types with
/// charset=utf-8); application/octet-stream when unknown.
std::string_view content_type_for(std::string_view name) noexcept;

/// The file `name` below `root`, read from disk. std::nullopt if it does not
/// exist, or if `name` is not a plain relative path or leads out of `root`.
std::optional<std::string> read_file_below(const std::string& root, std::string_view name);

} // namespace corio::engine
