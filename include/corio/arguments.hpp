#pragma once
// The arguments of an event or an acknowledgement: JSON values in order, with
// binary values carried as attachments (see corio/protocol/attachments.hpp).

#include <corio/binary.hpp>
#include <corio/detail/json_checks.hpp>
#include <corio/detail/json_write.hpp>
#include <corio/protocol/attachments.hpp>

#include <boost/json/array.hpp>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace corio {

/// Event arguments. A binary argument (or a binary value nested anywhere)
/// appears in `values()` as a placeholder `{"_placeholder":true,"num":i}`
/// whose bytes are `attachments()[i]`; `corio::binary` parameters and
/// `get<binary>` resolve it. Passing an `arguments` on unchanged (an echo)
/// keeps binary values where they were.
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
            values_.push_back(protocol::make_placeholder(attachments_.size()));
            attachments_.push_back(std::forward<T>(value).bytes);
        } else if constexpr (std::is_same_v<U, arguments>) {
            append(std::forward<T>(value));
        } else if constexpr (detail::check_emitted<T>()) {
            values_.push_back(detail::write_json(std::forward<T>(value)));
        }
    }

    std::size_t size() const noexcept { return values_.size(); }
    bool empty() const noexcept { return values_.empty(); }

    const boost::json::array& values() const noexcept { return values_; }
    boost::json::array& values() noexcept { return values_; }
    const std::vector<std::string>& attachments() const noexcept { return attachments_; }
    std::vector<std::string>& attachments() noexcept { return attachments_; }

    friend bool operator==(const arguments&, const arguments&) = default;

private:
    /// Appends `other`, renumbering its placeholders after ours.
    void append(arguments other);

    boost::json::array values_;
    std::vector<std::string> attachments_;
};

} // namespace corio
