// Asking a room, with a struct nobody described as an argument.
// expect: static assertion failed: corio: an emitted argument type does not convert to JSON
// expect: converts_to_json<question>' evaluates to false
// expect: corio::broadcast_operator::emit_with_ack

#include <corio/broadcast_operator.hpp>

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

boost::asio::awaitable<std::size_t> poll(corio::broadcast_operator table)
{
    auto answers = co_await table.emit_with_ack(std::chrono::seconds(1), "question", question{"ready?"});
    co_return answers ? answers->size() : 0;
}
