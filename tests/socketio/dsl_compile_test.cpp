#include <corio/dsl.hpp>

#include <corio/invoke.hpp>
#include <corio/nsp.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

// What these tests check happens at compile time: that every handler form
// the API documents adapts (the std::function is built, never invoked: that
// needs a server, see the end-to-end tests), and that the DSL examples
// compile.

namespace dsl_compile_test {

namespace net = boost::asio;
using corio::arguments;
using corio::binary;
using corio::context;

struct credentials {
    std::string token;
};
BOOST_DESCRIBE_STRUCT(credentials, (), (token))

// Named handlers, for CORIO_HANDLER and function pointers.
int add(context&, int a, int b)
{
    return a + b;
}
net::awaitable<void> greet(context& ctx, std::string name)
{
    ctx.emit("greeting", "hello " + name);
    co_return;
}
void touch(const context&) noexcept {}

// A class-based namespace, for nsp::mount.
class lobby {
public:
    net::awaitable<std::string> create_room(context& ctx, std::string name)
    {
        ctx.join(name);
        ++rooms_;
        co_return name;
    }
    int count(context&) const { return rooms_; }
    void reset(context&, std::optional<int> to) noexcept { rooms_ = to.value_or(0); }

    static inline const auto handlers = std::tuple{
        corio::member("create_room", &lobby::create_room),
        corio::member("count", &lobby::count),
        corio::member("reset", &lobby::reset),
    };

private:
    int rooms_ = 0;
};

struct functor {
    arguments operator()(context&, arguments rest) const { return rest; }
};

// Every form below must compile; none runs (no server here).
[[maybe_unused]] void register_with_the_dsl(corio::nsp calculator, corio::nsp chat)
{
    CORIO_ON(chat, "create_room")([](context& ctx, std::string name) -> net::awaitable<std::string> {
        ctx.join(name);
        co_return name;
    });
    CORIO_ON(chat, "ping")([](context&) { return std::string("pong"); });
    CORIO_HANDLER(calculator, add);
    CORIO_HANDLER(chat, greet);
    chat.mount(std::make_shared<lobby>());
    chat.on_connect([](context&, std::optional<credentials> auth) { return auth.has_value(); })
        .use([](context& ctx) -> net::awaitable<corio::connect_verdict> {
            co_return ctx.handshake().auth.empty() ? corio::refuse("no auth") : corio::accept();
        })
        .on_disconnect([](context&, corio::disconnect_reason) {})
        .on_any([](context&, arguments) {})
        .on_fallback([](context& ctx, arguments args) { ctx.ack_arguments(std::move(args)); });
}

} // namespace dsl_compile_test

namespace {

namespace detail = corio::detail;
namespace net = boost::asio;
using corio::arguments;
using corio::binary;
using corio::context;
using dsl_compile_test::add;
using dsl_compile_test::credentials;
using dsl_compile_test::functor;
using dsl_compile_test::greet;
using dsl_compile_test::lobby;
using dsl_compile_test::touch;

// Signatures are deduced from call operators, function types and pointers.
template <class F, class... Expected>
constexpr bool signature_is = std::is_same_v<detail::signature_of<F>, detail::function_signature<Expected...>>;

auto sync_lambda = [](context&, std::string, int) { return 1; };
auto mutable_lambda = [n = 0](context&) mutable { return ++n; };
auto noexcept_lambda = [](const context&, const std::string&) noexcept {};
static_assert(signature_is<decltype(sync_lambda), int, context&, std::string, int>);
static_assert(signature_is<decltype(mutable_lambda), int, context&>);
static_assert(signature_is<decltype(noexcept_lambda), void, const context&, const std::string&>);
static_assert(signature_is<decltype(&add), int, context&, int, int>);
static_assert(signature_is<decltype(add), int, context&, int, int>);
static_assert(signature_is<decltype(&touch), void, const context&>);
static_assert(signature_is<std::function<void(context&, binary)>, void, context&, binary>);
static_assert(signature_is<functor, arguments, context&, arguments>);
static_assert(signature_is<decltype(&lobby::count), int, context&>);
static_assert(signature_is<decltype(&lobby::reset), void, context&, std::optional<int>>);
static_assert(std::is_same_v<detail::callable_traits<decltype(&lobby::count)>::class_type, lobby>);

// A generic lambda has no single signature: make_event_handler refuses it.
auto generic_lambda = [](context&, auto) {};
static_assert(!detail::has_signature<decltype(generic_lambda)>);

static_assert(detail::awaitable_result<net::awaitable<int>>::value);
static_assert(std::is_same_v<detail::handler_value_t<net::awaitable<int>>, int>);
static_assert(!detail::awaitable_result<int>::value);
static_assert(std::is_same_v<detail::handler_value_t<void>, void>);

static_assert(std::is_same_v<std::remove_cvref_t<decltype(std::get<0>(lobby::handlers))>,
                             corio::member_handler<decltype(&lobby::create_room)>>);

} // namespace

BOOST_AUTO_TEST_SUITE(dsl_compile)

BOOST_AUTO_TEST_CASE(event_handler_forms)
{
    // sync and async; void, value, binary and arguments results; parameters
    // by value, const& and &&; optional and arguments-last parameters.
    const corio::event_handler handlers[] = {
        corio::make_event_handler([](context&) {}),
        corio::make_event_handler([](context&, std::string s) { return s; }),
        corio::make_event_handler([](context&, const std::string& s, int&& n) { return s.size() + n; }),
        corio::make_event_handler([](context&, binary b) { return b; }),
        corio::make_event_handler([](context&, int, arguments rest) { return rest; }),
        corio::make_event_handler([](context&, std::optional<int>, std::optional<binary>) {}),
        corio::make_event_handler([](context&, boost::json::value v, boost::json::object) { return v; }),
        corio::make_event_handler([](context&, credentials c) -> net::awaitable<void> {
            (void)c;
            co_return;
        }),
        corio::make_event_handler([](context&, int a) -> net::awaitable<int> { co_return a + 1; }),
        corio::make_event_handler([](context&) -> net::awaitable<arguments> { co_return arguments::of(1, "two"); }),
        corio::make_event_handler([](context&) -> net::awaitable<binary> { co_return binary{"bytes"}; }),
        corio::make_event_handler(sync_lambda),
        corio::make_event_handler(mutable_lambda),
        corio::make_event_handler(noexcept_lambda),
        corio::make_event_handler(std::move(mutable_lambda)),
        corio::make_event_handler(add),
        corio::make_event_handler(&add),
        corio::make_event_handler(&greet),
        corio::make_event_handler(touch),
        corio::make_event_handler(functor{}),
        corio::make_event_handler(std::function<void(context&, binary)>([](context&, binary) {})),
    };
    for (const auto& h : handlers)
        BOOST_TEST(static_cast<bool>(h));
}

BOOST_AUTO_TEST_CASE(event_handler_passes_through)
{
    corio::event_handler original = [](context&, arguments) -> net::awaitable<void> { co_return; };
    auto adapted = corio::make_event_handler(original);
    BOOST_TEST(static_cast<bool>(adapted));
    // Not wrapped again: the same target type.
    BOOST_TEST((adapted.target_type() == original.target_type()));
}

BOOST_AUTO_TEST_CASE(null_function_pointer_is_refused)
{
    int (*none)(context&) = nullptr;
    BOOST_CHECK_THROW(corio::make_event_handler(none), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(member_handlers)
{
    auto object = std::make_shared<lobby>();
    const auto& [create_room, count, reset] = lobby::handlers;
    BOOST_TEST(create_room.event == "create_room");
    BOOST_TEST(count.event == "count");
    BOOST_TEST(reset.event == "reset");
    BOOST_TEST(static_cast<bool>(create_room.bind(object)));
    BOOST_TEST(static_cast<bool>(count.bind(object)));
    BOOST_TEST(static_cast<bool>(reset.bind(object)));
    // The handler shares the object.
    auto h = count.bind(object);
    BOOST_TEST(object.use_count() == 2);
    h = nullptr;
    BOOST_TEST(object.use_count() == 1);
    BOOST_CHECK_THROW(count.bind(nullptr), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(connect_handler_forms)
{
    const corio::connect_handler handlers[] = {
        corio::make_connect_handler([](context&) {}),
        corio::make_connect_handler([](context&) { return true; }),
        corio::make_connect_handler([](context&) { return corio::accept(); }),
        corio::make_connect_handler([](context&) -> net::awaitable<void> { co_return; }),
        corio::make_connect_handler([](context&) -> net::awaitable<bool> { co_return false; }),
        corio::make_connect_handler(
            [](context&) -> net::awaitable<corio::connect_verdict> { co_return corio::accept(); }),
        corio::make_connect_handler([](context&, boost::json::object auth) { return !auth.empty(); }),
        corio::make_connect_handler([](context&, const credentials& c) { return !c.token.empty(); }),
        corio::make_connect_handler([](context&, std::optional<credentials>) -> net::awaitable<void> { co_return; }),
    };
    for (const auto& h : handlers)
        BOOST_TEST(static_cast<bool>(h));
}

BOOST_AUTO_TEST_CASE(disconnect_handler_forms)
{
    const corio::disconnect_handler handlers[] = {
        corio::make_disconnect_handler([](context&) {}),
        corio::make_disconnect_handler([](context&, corio::disconnect_reason) {}),
        corio::make_disconnect_handler([](const context&, corio::disconnect_reason) noexcept {}),
        corio::make_disconnect_handler([](context&) -> net::awaitable<void> { co_return; }),
        corio::make_disconnect_handler([](context&, corio::disconnect_reason) -> net::awaitable<void> { co_return; }),
    };
    for (const auto& h : handlers)
        BOOST_TEST(static_cast<bool>(h));
}

BOOST_AUTO_TEST_SUITE_END()
