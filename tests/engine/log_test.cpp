// corio/log.hpp: the level filter, the text and JSON formats, the stream sinks.

#include <corio/log.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace json = boost::json;
using corio::log_level;
using corio::log_record;

BOOST_AUTO_TEST_SUITE(log_format)

namespace {

// 2024-05-01T12:34:56.789Z
std::chrono::system_clock::time_point fixed_time()
{
    using namespace std::chrono;
    return sys_days{year{2024} / May / 1} + hours{12} + minutes{34} + seconds{56} + milliseconds{789};
}

} // namespace

BOOST_AUTO_TEST_CASE(the_logger_drops_records_below_its_level)
{
    std::vector<std::string> got;
    corio::logger log([&](const log_record& r) { got.emplace_back(r.message); }, log_level::warning);
    BOOST_TEST(!log.enabled(log_level::debug));
    BOOST_TEST(!log.enabled(log_level::info));
    BOOST_TEST(log.enabled(log_level::warning));
    BOOST_TEST(log.enabled(log_level::error));
    for (auto level : {log_level::debug, log_level::info, log_level::warning, log_level::error})
        log({.level = level, .message = corio::to_string(level)});
    BOOST_TEST(got == (std::vector<std::string>{"warning", "error"}));
}

BOOST_AUTO_TEST_CASE(a_lambda_logs_info_and_up_and_off_logs_nothing)
{
    int calls = 0;
    corio::logger lambda = [&](const log_record&) { ++calls; };
    BOOST_TEST((lambda.min_level() == log_level::info));
    lambda({.level = log_level::debug, .message = "dropped"});
    lambda({.level = log_level::info, .message = "kept"});
    BOOST_TEST(calls == 1);

    BOOST_TEST(!corio::logger::off().enabled(log_level::error));
    corio::logger null_sink(corio::log_sink{}, log_level::debug);
    BOOST_TEST(!null_sink.enabled(log_level::error));
    null_sink({.level = log_level::error, .message = "nowhere"}); // no call to an empty function
    // The default: warnings and errors (to stderr).
    BOOST_TEST((corio::logger().min_level() == log_level::warning));
}

BOOST_AUTO_TEST_CASE(a_sink_that_throws_does_not_reach_the_caller)
{
    corio::logger log([](const log_record&) { throw std::runtime_error("disk full"); });
    BOOST_CHECK_NO_THROW(log({.level = log_level::error, .message = "x"}));
}

BOOST_AUTO_TEST_CASE(level_names_parse_back)
{
    for (auto level : {log_level::debug, log_level::info, log_level::warning, log_level::error, log_level::off})
        BOOST_TEST((corio::parse_log_level(corio::to_string(level)) == level));
    BOOST_TEST(!corio::parse_log_level("verbose").has_value());
    BOOST_TEST(!corio::parse_log_level("").has_value());
}

BOOST_AUTO_TEST_CASE(text_lines_name_the_fields_present_in_a_fixed_order)
{
    log_record r{.level = log_level::info,
                 .message = "disconnected",
                 .sid = "AAAAAAAAAAAAAAAAAAAA",
                 .socket = "BBBB",
                 .nsp = "/chat",
                 .remote = "::1",
                 .reason = "transport close"};
    BOOST_TEST(corio::format_text(r) ==
               "info disconnected sid=AAAAAAAAAAAAAAAAAAAA socket=BBBB nsp=/chat remote=::1 reason=\"transport close\"");
}

BOOST_AUTO_TEST_CASE(a_text_record_stays_one_line_whatever_its_fields_hold)
{
    // A client chooses event names: it must not be able to forge a line.
    log_record r{.level = log_level::debug,
                 .message = "event\nreceived",
                 .event = "x\nerror forged sid=1",
                 .error = "say \"hi\"\\ \x01"};
    auto line = corio::format_text(r);
    BOOST_TEST(line.find('\n') == std::string::npos);
    BOOST_TEST(line.find('\x01') == std::string::npos);
    BOOST_TEST(line ==
               "debug event\\nreceived event=\"x\\nerror forged sid=1\" error=\"say \\\"hi\\\"\\\\ \\x01\"");
}

BOOST_AUTO_TEST_CASE(json_lines_escape_and_parse_back)
{
    log_record r{.level = log_level::error,
                 .message = "handler \"threw\"",
                 .sid = "s1",
                 .nsp = "/",
                 .event = "line\nbreak\ttab\\",
                 .error = std::string_view("ctl\x01\x1f end", 9)};
    auto line = corio::format_json(r, fixed_time());
    BOOST_TEST(line.find('\n') == std::string::npos);
    auto v = json::parse(line);
    const auto& o = v.as_object();
    BOOST_TEST(o.at("time").as_string() == "2024-05-01T12:34:56.789Z");
    BOOST_TEST(o.at("level").as_string() == "error");
    BOOST_TEST(o.at("msg").as_string() == "handler \"threw\"");
    BOOST_TEST(o.at("sid").as_string() == "s1");
    BOOST_TEST(o.at("nsp").as_string() == "/");
    BOOST_TEST(o.at("event").as_string() == "line\nbreak\ttab\\");
    BOOST_TEST(o.at("error").as_string() == std::string_view("ctl\x01\x1f end", 9));
    // Absent fields are left out.
    BOOST_TEST(!o.contains("socket"));
    BOOST_TEST(!o.contains("remote"));
    BOOST_TEST(!o.contains("reason"));
    BOOST_TEST(o.size() == 7u);
}

BOOST_AUTO_TEST_CASE(json_lines_replace_bytes_that_are_not_utf8)
{
    log_record r{.level = log_level::warning, .message = "bad", .error = std::string_view("a\xff" "b\xc3", 4)};
    auto v = json::parse(corio::format_json(r, fixed_time()));
    BOOST_TEST(v.as_object().at("error").as_string() == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    log_record ok{.level = log_level::info, .message = "caf\xC3\xA9 \xE2\x9C\x93"};
    BOOST_TEST(json::parse(corio::format_json(ok, fixed_time())).as_object().at("msg").as_string() ==
               "caf\xC3\xA9 \xE2\x9C\x93");
}

BOOST_AUTO_TEST_CASE(stream_sinks_write_one_line_per_record)
{
    std::ostringstream text;
    std::ostringstream lines;
    corio::logger to_text(corio::text_sink(text));
    corio::logger to_json(corio::json_sink(lines), log_level::debug);
    for (const auto& log : {to_text, to_json}) {
        log({.level = log_level::info, .message = "connected", .nsp = "/"});
        log({.level = log_level::debug, .message = "event received", .event = "a\nb"});
    }
    BOOST_TEST(text.str() == "info connected nsp=/\n");
    std::istringstream in(lines.str());
    std::string line;
    std::vector<std::string> messages;
    while (std::getline(in, line))
        messages.emplace_back(json::parse(line).as_object().at("msg").as_string());
    BOOST_TEST(messages == (std::vector<std::string>{"connected", "event received"}));
}

BOOST_AUTO_TEST_SUITE_END()
