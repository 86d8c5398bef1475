#include <corio/engine/field_list.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

using corio::engine::field_list;

BOOST_AUTO_TEST_SUITE(field_list_suite)

BOOST_AUTO_TEST_CASE(keeps_fields_in_order_with_repeated_names)
{
    field_list fields{{"host", "localhost"}, {"cookie", "a=1"}, {"cookie", "b=2"}, {"", ""}};
    BOOST_TEST(fields.size() == 4u);
    std::vector<std::pair<std::string, std::string>> seen;
    for (const auto& [name, value] : fields)
        seen.emplace_back(name, value);
    const std::vector<std::pair<std::string, std::string>> expected{
        {"host", "localhost"}, {"cookie", "a=1"}, {"cookie", "b=2"}, {"", ""}};
    BOOST_TEST((seen == expected));
    // The first of a repeated name wins.
    BOOST_TEST(*fields.find("cookie") == "a=1");
    BOOST_TEST(fields.find("").has_value());
    BOOST_TEST(!fields.find("Host").has_value());
}

BOOST_AUTO_TEST_CASE(long_names_and_values_and_any_bytes)
{
    // Lengths of 128 bytes and more take more than one byte each.
    const std::string long_value(70'000, 'v');
    const std::string name_with_nul("a\0b", 3);
    field_list fields;
    fields.reserve(2, 3 + long_value.size());
    fields.add(std::string(200, 'n'), long_value);
    fields.add(name_with_nul, "\x80\xff");
    BOOST_TEST(fields.size() == 2u);
    BOOST_TEST(*fields.find(std::string(200, 'n')) == long_value);
    BOOST_TEST(*fields.find(name_with_nul) == "\x80\xff");
    auto it = fields.begin();
    ++it;
    BOOST_TEST((*it).first == name_with_nul);
    BOOST_TEST((++it == fields.end()));
}

BOOST_AUTO_TEST_CASE(lengths_either_side_of_one_byte)
{
    // 127 fits one length byte, 128 takes two: each mixed with the other.
    const std::string n127(127, 'n'), v128(128, 'v'), n128(128, 'm'), v127(127, 'w');
    field_list fields;
    fields.add(n127, v128);
    fields.add(n128, v127);
    fields.add(n127, v127);
    BOOST_TEST(fields.size() == 3u);
    auto it = fields.begin();
    BOOST_TEST(((*it).first == n127 && (*it).second == v128));
    ++it;
    BOOST_TEST(((*it).first == n128 && (*it).second == v127));
    ++it;
    BOOST_TEST(((*it).first == n127 && (*it).second == v127));
    BOOST_TEST((++it == fields.end()));
}

BOOST_AUTO_TEST_CASE(empty_and_from_a_vector)
{
    field_list none;
    BOOST_TEST(none.empty());
    BOOST_TEST((none.begin() == none.end()));
    BOOST_TEST(!none.find("x").has_value());

    const std::vector<std::pair<std::string, std::string>> source{{"x-user", "ada"}, {"lang", "fr"}};
    field_list copy(source);
    BOOST_TEST(copy.size() == 2u);
    BOOST_TEST(*copy.find("lang") == "fr");
    BOOST_TEST((copy == field_list{{"x-user", "ada"}, {"lang", "fr"}}));
}

BOOST_AUTO_TEST_SUITE_END()
