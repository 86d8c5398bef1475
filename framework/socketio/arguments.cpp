#include <corio/arguments.hpp>

#include <boost/json/object.hpp>

namespace corio {

namespace {

// Adds `offset` to the index of every placeholder in `v`.
void shift_placeholders(boost::json::value& v, std::size_t offset)
{
    if (auto index = protocol::placeholder_index(v)) {
        v = protocol::make_placeholder(*index + offset);
        return;
    }
    if (auto* a = v.if_array())
        for (auto& e : *a)
            shift_placeholders(e, offset);
    else if (auto* o = v.if_object())
        for (auto& kv : *o)
            shift_placeholders(kv.value(), offset);
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
