#include <corio/arguments.hpp>

#include <corio/protocol/json_reader.hpp>

#include <boost/json/object.hpp>

#include <limits>

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

// The number of elements of `text`, a valid JSON array: its commas outside
// strings and nested values, plus one unless it is empty.
std::size_t count_elements(std::string_view text) noexcept
{
    std::size_t depth = 0;
    std::size_t commas = 0;
    bool any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (c) {
        case '"':
            // Past the closing quote: an escaped quote never ends a string.
            for (++i; text[i] != '"'; ++i)
                if (text[i] == '\\')
                    ++i;
            any = true;
            break;
        case '[':
        case '{':
            if (depth++ == 1)
                any = true;
            break;
        case ']':
        case '}':
            --depth;
            break;
        case ',':
            if (depth == 1)
                ++commas;
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            if (depth == 1)
                any = true;
            break;
        }
    }
    return any ? commas + 1 : 0;
}

} // namespace

std::size_t arguments::size() const noexcept
{
    if (!text_.empty())
        return count_elements(text_);
    return values_ ? values_->size() : 0;
}

const boost::json::array& arguments::no_values() noexcept
{
    static const boost::json::array none;
    return none;
}

void arguments::parse_text() const
{
    // The text was checked against the decode limits (depth included) when
    // its packet was decoded; it cannot fail here but for memory.
    auto parsed = protocol::parse_json(text_, std::numeric_limits<std::size_t>::max());
    values_ = std::move(parsed.value().as_array());
    text_.clear();
    text_.shrink_to_fit();
}

void arguments::append(arguments other)
{
    // Into nothing, `other` is taken whole: text stays text.
    if (text_.empty() && (!values_ || values_->empty()) && attachments_.empty()) {
        *this = std::move(other);
        return;
    }
    auto offset = attachments_.size();
    for (auto& v : other.values()) {
        if (offset)
            shift_placeholders(v, offset);
        values().push_back(std::move(v));
    }
    for (auto& a : other.attachments_)
        attachments_.push_back(std::move(a));
}

} // namespace corio
