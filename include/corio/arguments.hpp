#pragma once
// The arguments of an event or an acknowledgement: JSON values in order, with
// binary values carried as attachments (see corio/protocol/attachments.hpp).

#include <corio/binary.hpp>
#include <corio/detail/json_checks.hpp>
#include <corio/detail/json_write.hpp>
#include <corio/protocol/attachments.hpp>

#include <boost/json/array.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace corio {

namespace detail {
struct arguments_access;
} // namespace detail

/// Event arguments. A binary argument (or a binary value nested anywhere)
/// appears in `values()` as a placeholder `{"_placeholder":true,"num":i}`
/// whose bytes are `attachments()[i]`; `corio::binary` parameters and
/// `get<binary>` resolve it. Passing an `arguments` on unchanged (an echo)
/// keeps binary values where they were.
///
/// The arguments of a plain (non-binary) event or ack a client sent arrive as
/// their JSON text, checked when the packet was decoded, and stay text until
/// `values()` is first called, which parses them (as the decoder would have:
/// corio/protocol/json_reader.hpp). Arguments passed on unchanged (returned
/// from a handler as its ack, emitted, broadcast) are then written as the
/// client sent them, without a parse: the same JSON values, and the same
/// bytes (an escape such as `\u00e9` stays escaped, an integer beyond 2^64
/// keeps its digits, a number beyond the double range is not turned into
/// `null`).
///
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: unsafe, even through `const`:
/// the first `values()` call and `operator==` parse the text in place.
class arguments {
public:
    arguments() = default;
    arguments(boost::json::array values, std::vector<std::string> attachments = {})
        : values_(std::move(values)), attachments_(std::move(attachments))
    {
    }

    /// Builds arguments from C++ values: `corio::binary` becomes an
    /// attachment, `arguments` are spliced in, anything else goes through
    /// `boost::json::value_from`, except that a described struct, at any
    /// depth, leaves out its empty std::optional members rather than write
    /// them as null (the handlers' reading of a missing one as std::nullopt,
    /// mirrored; detail/json_write.hpp). A type value_from cannot convert
    /// fails to compile with one static_assert naming it
    /// (corio/detail/json_checks.hpp).
    template <class... Ts>
    static arguments of(Ts&&... values)
    {
        arguments a;
        if constexpr (detail::check_emitted<Ts...>())
            (a.push_back(std::forward<Ts>(values)), ...);
        return a;
    }

    template <class T>
    void push_back(T&& value)
    {
        using U = std::remove_cvref_t<T>;
        if constexpr (std::is_same_v<U, binary>) {
            values().push_back(protocol::make_placeholder(attachments_.size()));
            attachments_.push_back(std::forward<T>(value).bytes);
        } else if constexpr (std::is_same_v<U, arguments>) {
            append(std::forward<T>(value));
        } else if constexpr (detail::check_emitted<T>()) {
            values().push_back(detail::write_json(std::forward<T>(value)));
        }
    }

    /// The number of arguments; counted from the text (not parsed) while
    /// the arguments are text.
    std::size_t size() const noexcept;
    bool empty() const noexcept { return text_.empty() ? !values_ || values_->empty() : size() == 0; }

    /// The arguments as JSON values. Parses arguments held as text on the
    /// first call (std::bad_alloc may propagate); later calls and arguments
    /// built from values return them at once.
    const boost::json::array& values() const
    {
        if (!text_.empty())
            parse_text();
        return values_ ? *values_ : no_values();
    }
    boost::json::array& values()
    {
        if (!text_.empty())
            parse_text();
        if (!values_)
            values_.emplace();
        return *values_;
    }
    const std::vector<std::string>& attachments() const noexcept { return attachments_; }
    std::vector<std::string>& attachments() noexcept { return attachments_; }

    /// The same JSON values (text or not) and the same attachments.
    friend bool operator==(const arguments& a, const arguments& b)
    {
        return a.values() == b.values() && a.attachments_ == b.attachments_;
    }

private:
    friend struct detail::arguments_access;

    /// Appends `other`, renumbering its placeholders after ours.
    void append(arguments other);
    /// Parses text_ into values_ and clears text_.
    void parse_text() const;
    /// The empty array that values() const returns for no values.
    static const boost::json::array& no_values() noexcept;

    /// Absent until there are values (none, or arguments still held as
    /// text): moving and destroying arguments that never had values then
    /// costs no call into Boost.JSON, which an echo does six times.
    mutable std::optional<boost::json::array> values_;
    /// When not empty, the arguments: a checked JSON array text without
    /// placeholders, and values_ is absent (no attachments).
    mutable std::string text_;
    std::vector<std::string> attachments_;
};

} // namespace corio
