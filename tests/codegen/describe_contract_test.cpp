#include "sample_contract.hpp"

#include <corio/contract_export.hpp>
#include <corio/describe_contract.hpp>

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

// What describe_contract refuses at compile time is pinned by tests/compile_fail/describe_*.cpp.

namespace describe_contract_test {

namespace first {
struct item {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(item, (), (id))
} // namespace first

namespace second {
struct item {
    std::string label;
};
BOOST_DESCRIBE_STRUCT(item, (), (label))
} // namespace second

struct put : corio::client_to_server<"put", void(first::item, std::vector<second::item>)> {};
using clashing = corio::contract<put>;

struct node {
    std::string label;
    std::vector<node> children;
};
BOOST_DESCRIBE_STRUCT(node, (), (label, children))

struct tree : corio::server_to_client<"tree", void(node)> {};
using recursive = corio::contract<tree>;

std::vector<std::string> names(const std::vector<corio::structure_description>& structures)
{
    std::vector<std::string> out;
    for (const auto& s : structures)
        out.push_back(s.name);
    return out;
}

BOOST_AUTO_TEST_SUITE(describe_contract)

BOOST_AUTO_TEST_CASE(events_keep_their_order_names_directions_and_acks)
{
    auto d = corio::describe_contract<sample::lobby>("/");
    BOOST_TEST(d.nsp == "/");
    BOOST_TEST_REQUIRE(d.events.size() == 6u);
    const auto& create = d.events[0];
    BOOST_TEST(create.name == "create_room");
    BOOST_TEST((create.direction == corio::event_direction::client_to_server));
    BOOST_TEST_REQUIRE(create.parameters.size() == 2u);
    BOOST_TEST(create.parameters[0].name == "name");
    BOOST_TEST((create.parameters[0].type.kind == corio::value_kind::string));
    BOOST_TEST(create.parameters[1].name == "seats");
    BOOST_TEST((create.parameters[1].type.kind == corio::value_kind::integer));
    BOOST_TEST(create.has_ack);
    BOOST_TEST((create.ack.kind == corio::value_kind::structure));
    BOOST_TEST(create.ack.name == "room_info");
    BOOST_TEST(create.ack.cpp_name == "sample::room_info");

    const auto& room_update = d.events[3];
    BOOST_TEST((room_update.direction == corio::event_direction::server_to_client));
    BOOST_TEST(!room_update.has_ack);
    BOOST_TEST((room_update.ack.kind == corio::value_kind::any));
    BOOST_TEST(d.events[5].name == "raw");
}

BOOST_AUTO_TEST_CASE(unnamed_parameters_are_arg1_arg2)
{
    auto d = corio::describe_contract<sample::lobby>("/");
    const auto& upload = d.events[2];
    BOOST_TEST(upload.name == "upload:avatar");
    BOOST_TEST_REQUIRE(upload.parameters.size() == 2u);
    BOOST_TEST(upload.parameters[0].name == "arg1");
    BOOST_TEST(upload.parameters[1].name == "arg2");
}

BOOST_AUTO_TEST_CASE(binary_optional_and_json_values_have_their_kinds)
{
    auto d = corio::describe_contract<sample::lobby>("/");
    const auto& upload = d.events[2];
    BOOST_TEST((upload.parameters[0].type.kind == corio::value_kind::binary));
    const auto& count = upload.parameters[1].type;
    BOOST_TEST((count.kind == corio::value_kind::optional));
    BOOST_TEST_REQUIRE(count.elements.size() == 1u);
    BOOST_TEST((count.elements[0].kind == corio::value_kind::integer));
    BOOST_TEST((upload.ack.kind == corio::value_kind::boolean));

    const auto& raw = d.events[5].parameters;
    BOOST_TEST((raw[0].type.kind == corio::value_kind::any));
    BOOST_TEST((raw[1].type.kind == corio::value_kind::object));
    BOOST_TEST((raw[2].type.kind == corio::value_kind::array));
    BOOST_TEST(raw[2].type.elements.empty());
}

BOOST_AUTO_TEST_CASE(structs_are_listed_once_in_first_use_order_with_their_members)
{
    auto d = corio::describe_contract<sample::lobby>("/");
    BOOST_TEST(names(d.structures) == (std::vector<std::string>{"room_info", "seat"}));
    const auto& room = d.structures[0];
    BOOST_TEST_REQUIRE(room.members.size() == 4u);
    BOOST_TEST(room.members[1].name == "seats");
    BOOST_TEST((room.members[1].type.kind == corio::value_kind::array));
    BOOST_TEST(room.members[1].type.elements.at(0).name == "seat");
    BOOST_TEST((room.members[2].type.kind == corio::value_kind::map));
    BOOST_TEST((room.members[2].type.elements.at(0).kind == corio::value_kind::integer));
    BOOST_TEST((room.members[3].type.kind == corio::value_kind::optional));
    BOOST_TEST((room.members[3].type.elements.at(0).kind == corio::value_kind::number));

    const auto& seat = d.structures[1];
    BOOST_TEST_REQUIRE(seat.members.size() == 3u);
    BOOST_TEST((seat.members[1].type.kind == corio::value_kind::optional));
    BOOST_TEST((seat.members[2].type.kind == corio::value_kind::enumeration));
    BOOST_TEST(seat.members[2].type.name == "color");
    BOOST_TEST(seat.members[2].type.enumerators == (std::vector<std::string>{"red", "yellow"}));
}

// The description says what the wire carries: Boost 1.81 writes a described
// enum as its enumerator's name and reads it only from one.
BOOST_AUTO_TEST_CASE(described_enums_travel_as_their_names)
{
    BOOST_TEST(boost::json::value_from(sample::color::yellow) == boost::json::value("yellow"));
    BOOST_TEST((boost::json::value_to<sample::color>(boost::json::value("red")) == sample::color::red));
    BOOST_TEST(boost::json::try_value_to<sample::color>(boost::json::value(1)).has_error());
}

BOOST_AUTO_TEST_CASE(a_recursive_struct_is_listed_once)
{
    auto d = corio::describe_contract<recursive>("/trees");
    BOOST_TEST(names(d.structures) == (std::vector<std::string>{"node"}));
    BOOST_TEST(d.structures[0].members.at(1).type.elements.at(0).name == "node");
}

BOOST_AUTO_TEST_CASE(two_types_with_one_name_fail_naming_both)
{
    try {
        corio::describe_contract<clashing>("/");
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("describe_contract_test::first::item") != std::string::npos, what);
        BOOST_TEST(what.find("describe_contract_test::second::item") != std::string::npos, what);
    }
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace describe_contract_test

// Exported in the order opposite to the namespaces'.
CORIO_EXPORT_CONTRACT(sample::admin, "/admin-chat");
CORIO_EXPORT_CONTRACT(sample::lobby, "/");

namespace describe_contract_test {

BOOST_AUTO_TEST_SUITE(contract_export)

BOOST_AUTO_TEST_CASE(exported_contracts_are_described_in_namespace_order)
{
    auto contracts = corio::exported_contracts();
    BOOST_TEST_REQUIRE(contracts.size() == 2u);
    BOOST_TEST(contracts[0].nsp == "/");
    BOOST_TEST(contracts[0].events.size() == 6u);
    BOOST_TEST(contracts[1].nsp == "/admin-chat");
    BOOST_TEST(contracts[1].events.at(0).parameters.at(0).name == "target");
}

BOOST_AUTO_TEST_CASE(two_exports_of_one_namespace_fail)
{
    auto& registrations = corio::contract_registrations();
    registrations.push_back([] { return corio::describe_contract<recursive>("/admin-chat"); });
    BOOST_CHECK_THROW(corio::exported_contracts(), std::invalid_argument);
    registrations.pop_back();
    BOOST_TEST(corio::exported_contracts().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace describe_contract_test
