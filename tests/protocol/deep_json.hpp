#pragma once
// Helpers for tests of deeply nested JSON: the text of a nesting, a thread
// with a small stack to run code on (a recursion per nesting level would
// overflow it), and a teardown that does not recurse.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <pthread.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace corio::test {

enum class nesting { arrays, objects, mixed };

/// `leaf` inside `depth` arrays, objects (`{"k":...}`), or both in turn
/// (outermost an array): `depth` levels deep.
inline std::string nested_text(std::size_t depth, nesting kind, std::string_view leaf = "1.5")
{
    std::string open;
    std::string close;
    for (std::size_t i = 0; i < depth; ++i) {
        const bool array = kind == nesting::arrays || (kind == nesting::mixed && i % 2 == 0);
        open += array ? "[" : R"({"k":)";
        close += array ? ']' : '}';
    }
    return open + std::string(leaf) + std::string(close.rbegin(), close.rend());
}

/// Empties `v` from the outside in, one level at a time, so that no
/// destructor recurses through a tree deeper than the stack allows
/// (Boost.JSON's does).
inline void dismantle(boost::json::value& v)
{
    for (;;) {
        boost::json::value inner;
        if (auto* a = v.if_array(); a != nullptr && !a->empty())
            inner = std::move(a->back());
        else if (auto* o = v.if_object(); o != nullptr && !o->empty())
            inner = std::move(o->begin()->value());
        else
            return;
        v = std::move(inner);
    }
}

/// Runs `f` on a new thread with a stack of `bytes` and waits for it;
/// rethrows what `f` threw. Make the test's assertions after it, on the
/// caller's thread.
inline void run_on_stack(std::size_t bytes, const std::function<void()>& f)
{
    struct job {
        const std::function<void()>* f;
        std::exception_ptr error;
    } work{&f, nullptr};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (pthread_attr_setstacksize(&attr, bytes) != 0) {
        pthread_attr_destroy(&attr);
        throw std::invalid_argument("stack size refused");
    }
    pthread_t thread;
    const int rc = pthread_create(
        &thread, &attr,
        [](void* p) -> void* {
            auto* j = static_cast<job*>(p);
            try {
                (*j->f)();
            } catch (...) {
                j->error = std::current_exception();
            }
            return nullptr;
        },
        &work);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error("pthread_create failed");
    pthread_join(thread, nullptr);
    if (work.error)
        std::rethrow_exception(work.error);
}

} // namespace corio::test
