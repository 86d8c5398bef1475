#pragma once
// Name/value pairs kept in one buffer: the header fields and the query
// parameters of the request that opened a session.

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace corio::engine {

/// An ordered list of name/value pairs, names possibly repeated, in one
/// buffer. A session keeps its opening request's for its whole life: a
/// pair of std::string per field cost an idle connection a heap block for
/// each long name or value, and the vector's 64 bytes per field besides.
///
/// Iterating yields `std::pair<std::string_view, std::string_view>` by
/// value, in the order the fields were added; the views stay valid until
/// the list is changed, moved from or destroyed.
class field_list {
public:
    using value_type = std::pair<std::string_view, std::string_view>;

    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = field_list::value_type;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = value_type;

        iterator() = default;
        value_type operator*() const noexcept;
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept
        {
            auto old = *this;
            ++*this;
            return old;
        }
        bool operator==(const iterator&) const = default;

    private:
        friend class field_list;
        explicit iterator(const char* at) noexcept : at_(at) {}
        const char* at_ = nullptr;
    };

    field_list() = default;
    field_list(std::initializer_list<value_type> fields);
    /// From any range of pairs of strings, e.g. a
    /// `std::vector<std::pair<std::string, std::string>>`.
    template <class Range>
        requires(!std::same_as<std::remove_cvref_t<Range>, field_list>)
    explicit field_list(const Range& fields)
    {
        for (const auto& [name, value] : fields)
            add(name, value);
    }

    /// Appends a field.
    void add(std::string_view name, std::string_view value);
    /// Makes room for `count` more fields of `bytes` name and value bytes in
    /// all, so that adding them allocates at most once.
    void reserve(std::size_t count, std::size_t bytes);

    iterator begin() const noexcept { return iterator(bytes_.data()); }
    iterator end() const noexcept { return iterator(bytes_.data() + bytes_.size()); }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    /// The value of the first field named exactly `name`.
    std::optional<std::string_view> find(std::string_view name) const noexcept;

    bool operator==(const field_list&) const = default;

private:
    // Per field: the name's length and the value's, each a LEB128 number,
    // then the name's bytes and the value's.
    std::string bytes_;
    std::size_t size_ = 0;
};

} // namespace corio::engine
