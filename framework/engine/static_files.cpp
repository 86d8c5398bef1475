#include <corio/engine/static_files.hpp>

#include "engine/request.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace corio::engine {

namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

struct content_type {
    std::string_view extension;
    std::string_view type;
};

constexpr content_type content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".png", "image/png"},
    {".svg", "image/svg+xml"},
    {".ico", "image/x-icon"},
};

// A relative path of plain segments: no "..", ".", empty segments (so no
// leading '/'), backslashes, colons, NULs or control characters.
bool is_safe_relative_path(std::string_view name) noexcept
{
    if (name.empty())
        return false;
    if (std::any_of(name.begin(), name.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7F || c == '\\' || c == ':'; }))
        return false;
    for (std::size_t start = 0; start <= name.size();) {
        auto end = std::min(name.find('/', start), name.size());
        auto segment = name.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..")
            return false;
        start = end + 1;
    }
    return true;
}

} // namespace

std::string_view content_type_for(std::string_view name) noexcept
{
    auto dot = name.rfind('.');
    if (dot != std::string_view::npos && name.find('/', dot) == std::string_view::npos) {
        for (const auto& t : content_types)
            if (boost::beast::iequals(name.substr(dot), t.extension))
                return t.type;
    }
    return "application/octet-stream";
}

std::optional<std::string> read_file_below(const std::string& root, std::string_view name)
{
    if (!is_safe_relative_path(name))
        return std::nullopt;
    std::error_code ec;
    auto base = fs::canonical(root, ec);
    if (ec)
        return std::nullopt;
    auto path = fs::canonical(base / fs::path(name), ec);
    if (ec || !fs::is_regular_file(path, ec))
        return std::nullopt;
    // A symbolic link inside the root must not lead out of it.
    auto inside = path.lexically_relative(base);
    if (inside.empty() || *inside.begin() == "..")
        return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

static_files::static_files(std::string path, std::string root) : path_(std::move(path)), root_(std::move(root)) {}

boost::asio::awaitable<bool> static_files::handle_request(http_stream& stream, http_request req, std::string)
{
    http_response res;
    if (req.method() != http::verb::get) {
        res = detail::text_response(req, http::status::method_not_allowed, "", "text/plain");
        res.set(http::field::allow, "GET");
    } else if (auto path = detail::target_path(req.target()); path.size() < path_.size()) {
        // Without its slash: the page's relative links need it.
        res = detail::text_response(req, http::status::permanent_redirect, "", "text/plain");
        res.set(http::field::location, path_);
    } else {
        std::string_view name = path.size() > path_.size() ? path.substr(path_.size()) : "index.html";
        if (auto body = read_file_below(root_, name)) {
            res = detail::text_response(req, http::status::ok, std::move(*body), content_type_for(name));
            res.set("X-Content-Type-Options", "nosniff");
        } else {
            res = detail::text_response(req, http::status::not_found, "Not found", "text/plain");
        }
    }
    auto ec = co_await stream.async_write(res);
    co_return !ec && res.keep_alive();
}

} // namespace corio::engine
