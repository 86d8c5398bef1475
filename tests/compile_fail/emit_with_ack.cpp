// Asking one socket, with a struct nobody described as an argument.
// expect: static assertion failed: corio: an emitted argument type does not convert to JSON
// expect: converts_to_json<question>' evaluates to false
// expect: corio::socket_ref::emit_with_ack

#include <corio/context.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>

#include <chrono>
#include <string>

struct question {
    std::string text;
};
#ifdef CORIO_COMPILE_FAIL_CONTROL
BOOST_DESCRIBE_STRUCT(question, (), (text))
#endif

boost::asio::awaitable<bool> ask(corio::context& ctx)
{
    auto answer = co_await ctx.emit_with_ack(std::chrono::seconds(1), "question", question{"ready?"});
    co_return answer.has_value();
}
