#include "resp_writer.hpp"

#include <charconv>

namespace corio::redis::detail {

namespace {

void append_header(std::string& out, char kind, std::size_t n)
{
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out += kind;
    out.append(digits, end);
    out += "\r\n";
}

template <class Range>
void append(std::string& out, const Range& args)
{
    append_header(out, '*', std::size(args));
    for (const auto& a : args) {
        append_header(out, '$', a.size());
        out.append(a.data(), a.size());
        out += "\r\n";
    }
}

} // namespace

void append_command(std::string& out, std::span<const std::string> args)
{
    append(out, args);
}

void append_command(std::string& out, std::span<const std::string_view> args)
{
    append(out, args);
}

void append_command(std::string& out, std::initializer_list<std::string_view> args)
{
    append(out, args);
}

} // namespace corio::redis::detail
