// The Prometheus text writer: families grouped and described once, label
// values and help escaped, number formats; the endpoint's sources in order.

#include <corio/engine/metrics.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace engine = corio::engine;

BOOST_AUTO_TEST_SUITE(metrics_writer)

BOOST_AUTO_TEST_CASE(samples_are_grouped_by_family_in_the_order_first_written)
{
    engine::metrics_writer w;
    w.counter("a_total", "A.", {{"k", "1"}}, 1);
    w.gauge("b", "B.", {}, 2);
    w.counter("a_total", "A.", {{"k", "2"}}, 3);
    BOOST_TEST(w.text() == "# HELP a_total A.\n"
                           "# TYPE a_total counter\n"
                           "a_total{k=\"1\"} 1\n"
                           "a_total{k=\"2\"} 3\n"
                           "# HELP b B.\n"
                           "# TYPE b gauge\n"
                           "b 2\n");
}

BOOST_AUTO_TEST_CASE(label_values_and_help_are_escaped)
{
    engine::metrics_writer w;
    w.gauge("g", "back\\slash\nnew line \"quoted\"", {{"nsp", "/a\"b\\c\nd"}, {"x", ""}}, 1);
    BOOST_TEST(w.text() == "# HELP g back\\\\slash\\nnew line \"quoted\"\n"
                           "# TYPE g gauge\n"
                           "g{nsp=\"/a\\\"b\\\\c\\nd\",x=\"\"} 1\n");
}

BOOST_AUTO_TEST_CASE(numbers_are_written_as_the_format_reads_them)
{
    engine::metrics_writer w;
    w.counter("c_total", "C.", {}, std::numeric_limits<std::uint64_t>::max());
    w.gauge("g", "G.", {{"v", "half"}}, 0.5);
    w.gauge("g", "G.", {{"v", "nan"}}, std::numeric_limits<double>::quiet_NaN());
    w.gauge("g", "G.", {{"v", "inf"}}, std::numeric_limits<double>::infinity());
    w.gauge("g", "G.", {{"v", "-inf"}}, -std::numeric_limits<double>::infinity());
    auto text = w.text();
    BOOST_TEST(text.find("c_total 18446744073709551615\n") != std::string::npos);
    BOOST_TEST(text.find("g{v=\"half\"} 0.5\n") != std::string::npos);
    BOOST_TEST(text.find("g{v=\"nan\"} NaN\n") != std::string::npos);
    BOOST_TEST(text.find("g{v=\"inf\"} +Inf\n") != std::string::npos);
    BOOST_TEST(text.find("g{v=\"-inf\"} -Inf\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_name_cannot_be_both_a_counter_and_a_gauge)
{
    engine::metrics_writer w;
    w.counter("x_total", "X.", {}, 1);
    BOOST_CHECK_THROW(w.gauge("x_total", "X.", {}, 1), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_histogram_writes_cumulative_buckets_then_sum_and_count)
{
    engine::metrics_writer w;
    engine::histogram_snapshot h{.bounds = {0.001, 0.5, 2}, .counts = {3, 0, 2, 1}, .sum = 4.25};
    w.histogram("d_seconds", "D.", {{"endpoint", "/x/"}}, h);
    w.histogram("d_seconds", "D.", {{"endpoint", "/y/"}}, {.bounds = {1}, .counts = {0, 0}, .sum = 0});
    BOOST_TEST(w.text() == "# HELP d_seconds D.\n"
                           "# TYPE d_seconds histogram\n"
                           "d_seconds_bucket{endpoint=\"/x/\",le=\"0.001\"} 3\n"
                           "d_seconds_bucket{endpoint=\"/x/\",le=\"0.5\"} 3\n"
                           "d_seconds_bucket{endpoint=\"/x/\",le=\"2\"} 5\n"
                           "d_seconds_bucket{endpoint=\"/x/\",le=\"+Inf\"} 6\n"
                           "d_seconds_sum{endpoint=\"/x/\"} 4.25\n"
                           "d_seconds_count{endpoint=\"/x/\"} 6\n"
                           "d_seconds_bucket{endpoint=\"/y/\",le=\"1\"} 0\n"
                           "d_seconds_bucket{endpoint=\"/y/\",le=\"+Inf\"} 0\n"
                           "d_seconds_sum{endpoint=\"/y/\"} 0\n"
                           "d_seconds_count{endpoint=\"/y/\"} 0\n");
    BOOST_TEST(h.count() == 6u);
}

BOOST_AUTO_TEST_CASE(a_histogram_needs_one_count_more_than_bounds_and_its_own_name)
{
    engine::metrics_writer w;
    BOOST_CHECK_THROW(w.histogram("h_seconds", "H.", {}, {.bounds = {1}, .counts = {1}, .sum = 0}), std::logic_error);
    w.counter("c_total", "C.", {}, 1);
    BOOST_CHECK_THROW(w.histogram("c_total", "C.", {}, {.bounds = {}, .counts = {0}, .sum = 0}), std::logic_error);
}

BOOST_AUTO_TEST_CASE(snake_case_replaces_spaces)
{
    BOOST_TEST(engine::snake_case("io server disconnect") == "io_server_disconnect");
    BOOST_TEST(engine::snake_case("") == "");
}

BOOST_AUTO_TEST_CASE(the_endpoint_asks_its_sources_at_each_scrape_in_order)
{
    engine::metrics_endpoint e;
    BOOST_TEST(e.path() == "/metrics/");
    int scrapes = 0;
    e.add([&](engine::metrics_writer& w) { w.counter("scrapes_total", "Scrapes.", {}, ++scrapes); });
    e.add([](engine::metrics_writer& w) { w.gauge("second", "Second.", {}, 7); });
    BOOST_TEST(e.text() == "# HELP scrapes_total Scrapes.\n# TYPE scrapes_total counter\nscrapes_total 1\n"
                           "# HELP second Second.\n# TYPE second gauge\nsecond 7\n");
    BOOST_TEST(e.text().find("scrapes_total 2\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
