#include <corio/arguments.hpp>

#include <boost/json/object.hpp>

namespace corio {

namespace {

// Adds `offset` to the index of every placeholder in `v` (without recursion:
// any depth is safe).
void shift_placeholders(boost::json::value& v, std::size_t offset)
{
    protocol::for_each_placeholder(v, [offset](boost::json::value& placeholder) {
        if (auto index = protocol::placeholder_index(placeholder))
            placeholder = protocol::make_placeholder(*index + offset);
        return true;
    });
}

} // namespace

void arguments::append(arguments other)
{
    auto offset = attachments_.size();
    for (auto& v : other.values_) {
        if (offset)
            shift_placeholders(v, offset);
        values_.push_back(std::move(v));
    }
    for (auto& a : other.attachments_)
        attachments_.push_back(std::move(a));
}

} // namespace corio
