#pragma once
// Binary attachments: inside a packet's JSON data, each binary buffer is
// replaced by a placeholder `{"_placeholder":true,"num":<index>}`, and the
// buffers travel after the packet in index order.
//
// Corio keeps data in this deconstructed form end to end (JSON tree plus
// buffer list), so a packet can be re-sent or broadcast without re-walking it;
// `reconstruct_check` is the validation socket.io's reconstruction performs.

#include <corio/protocol/error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace corio::protocol {

/// `{"_placeholder":true,"num":<num>}`
boost::json::value make_placeholder(std::size_t num);

/// The index of `v` if it is a placeholder object with a valid integer `num`
/// (non-negative); std::nullopt otherwise.
std::optional<std::size_t> placeholder_index(const boost::json::value& v) noexcept;

/// Whether `o` is a placeholder object: its `_placeholder` is the boolean
/// true (its `num` may still be invalid; see placeholder_index).
bool is_placeholder_object(const boost::json::object& o) noexcept;

/// Calls `visit(v)` on each placeholder object `v` in `data` (see
/// is_placeholder_object), in document order, and does not look inside them
/// (socket.io replaces a placeholder whole). `visit` may replace `v` (when
/// `data` is not const) and returns whether to go on. Returns false if a
/// visit stopped the walk.
///
/// Walks with an explicit stack, not recursion, so any nesting depth is safe
/// (trees built in code are bounded by no decode limit). `data` must not
/// change during the walk except by `visit` replacing `v`.
template <class Value, class Visit>
    requires std::is_same_v<std::remove_const_t<Value>, boost::json::value>
bool for_each_placeholder(Value& data, Visit&& visit)
{
    if (!data.is_structured())
        return true;
    // Containers still to walk. Children are pushed last-first so that they
    // come off in document order.
    std::vector<Value*> pending{&data};
    while (!pending.empty()) {
        Value* v = pending.back();
        pending.pop_back();
        if (auto* a = v->if_array()) {
            for (auto it = a->end(); it != a->begin();) {
                --it;
                if (it->is_structured())
                    pending.push_back(&*it);
            }
        } else if (auto* o = v->if_object()) {
            if (is_placeholder_object(*o)) {
                if (!visit(*v))
                    return false;
                continue;
            }
            for (auto it = o->end(); it != o->begin();) {
                --it;
                if (it->value().is_structured())
                    pending.push_back(&it->value());
            }
        }
    }
    return true;
}

/// Checks every placeholder in `data`: an object whose `_placeholder` is true
/// must have a `num` in [0, attachment_count). Returns
/// error::invalid_placeholder otherwise.
result<void> reconstruct_check(const boost::json::value& data, std::size_t attachment_count);

/// Builds a payload by moving buffers out of the JSON tree ("deconstruct"):
/// `add` stores a buffer and returns the placeholder to put where it was.
class attachment_builder {
public:
    boost::json::value add(std::string bytes);
    std::vector<std::string> take() && { return std::move(buffers_); }
    std::size_t size() const noexcept { return buffers_.size(); }

private:
    std::vector<std::string> buffers_;
};

} // namespace corio::protocol
