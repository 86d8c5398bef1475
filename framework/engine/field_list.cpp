#include <corio/engine/field_list.hpp>

namespace corio::engine {

namespace {

// The buffer is only ever written by add(): its lengths are well formed.

void put_length(std::string& out, std::size_t n)
{
    while (n >= 0x80) {
        out.push_back(static_cast<char>((n & 0x7f) | 0x80));
        n >>= 7;
    }
    out.push_back(static_cast<char>(n));
}

std::size_t take_length(const char*& at) noexcept
{
    std::size_t n = 0;
    for (unsigned shift = 0;; shift += 7) {
        const auto b = static_cast<unsigned char>(*at++);
        n |= static_cast<std::size_t>(b & 0x7f) << shift;
        if (!(b & 0x80))
            return n;
    }
}

} // namespace

field_list::value_type field_list::iterator::operator*() const noexcept
{
    const char* at = at_;
    const auto name_size = take_length(at);
    const auto value_size = take_length(at);
    return {std::string_view(at, name_size), std::string_view(at + name_size, value_size)};
}

field_list::iterator& field_list::iterator::operator++() noexcept
{
    const auto name_size = take_length(at_);
    const auto value_size = take_length(at_);
    at_ += name_size + value_size;
    return *this;
}

field_list::field_list(std::initializer_list<value_type> fields)
{
    std::size_t bytes = 0;
    for (const auto& [name, value] : fields)
        bytes += name.size() + value.size();
    reserve(fields.size(), bytes);
    for (const auto& [name, value] : fields)
        add(name, value);
}

void field_list::add(std::string_view name, std::string_view value)
{
    if (name.size() < 0x80 && value.size() < 0x80) {
        // Both lengths one byte each: the usual field, in two appends.
        const char lengths[2] = {static_cast<char>(name.size()), static_cast<char>(value.size())};
        bytes_.append(lengths, 2).append(name);
    } else {
        put_length(bytes_, name.size());
        put_length(bytes_, value.size());
        bytes_.append(name);
    }
    bytes_.append(value);
    ++size_;
}

void field_list::reserve(std::size_t count, std::size_t bytes)
{
    // Two bytes of lengths per field: enough for names and values under
    // 128 bytes each, the usual case.
    bytes_.reserve(bytes_.size() + bytes + 2 * count);
}

std::optional<std::string_view> field_list::find(std::string_view name) const noexcept
{
    for (const auto& [n, v] : *this)
        if (n == name)
            return v;
    return std::nullopt;
}

} // namespace corio::engine
