#pragma once
// One-line sugar over corio::nsp (corio/nsp.hpp). Each macro expands to a
// single call of the function API, evaluates its arguments once, and hides
// no control flow; everything here can be written without it, as the
// expansions below show. tests/socketio/dsl_compile_test.cpp compiles every
// example.

#include <corio/nsp.hpp>

/// `CORIO_ON(ns, event)(handler)` registers `handler` for `event` on the
/// namespace `ns`; it expands to `(ns).on(event)`, so the whole statement is
/// `ns.on(event)(handler)`, the same as `ns.on(event, handler)`. It keeps the
/// event name in front of a long lambda:
///
/// @code
/// CORIO_ON(lobby, "create_room")([](corio::context& ctx, std::string name) -> net::awaitable<std::string> {
///     ctx.join(name);
///     co_return name;
/// });
/// @endcode
#define CORIO_ON(ns, event) (ns).on(event)

/// `CORIO_HANDLER(ns, fn)` registers the function `fn` for the event named
/// after it (its unqualified name, as written); it expands to
/// `(ns).on(#fn, fn)`:
///
/// @code
/// int add(corio::context&, int a, int b) { return a + b; }
/// CORIO_HANDLER(calculator, add); // calculator.on("add", add);
/// @endcode
#define CORIO_HANDLER(ns, fn) (ns).on(#fn, fn)
