#include <corio/codegen/asyncapi.hpp>

#include "codegen/pretty_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace asyncapi_test {

namespace json = boost::json;
using corio::asyncapi_document;
using corio::asyncapi_info;

corio::type_description scalar(corio::value_kind kind)
{
    return {.kind = kind};
}

corio::type_description of(corio::value_kind kind, corio::type_description element)
{
    return {.kind = kind, .elements = {std::move(element)}};
}

// A struct or enum of namespace lobby.
corio::type_description named(corio::value_kind kind, std::string name)
{
    return {.kind = kind, .cpp_name = "lobby::" + name, .name = std::move(name)};
}

corio::type_description color()
{
    auto type = named(corio::value_kind::enumeration, "color");
    type.enumerators = {"red", "yellow"};
    return type;
}

corio::structure_description room_info()
{
    using corio::value_kind;
    return {.name = "room_info",
            .cpp_name = "lobby::room_info",
            .members = {{"code", scalar(value_kind::string)},
                        {"seats", scalar(value_kind::integer)},
                        {"color", color()},
                        {"note", of(value_kind::optional, scalar(value_kind::string))},
                        {"players", of(value_kind::array, scalar(value_kind::string))},
                        {"scores", of(value_kind::map, scalar(value_kind::number))}}};
}

// "/": create_room (client to server, acked with a room_info), new_game
// (server to client), upload (a binary), chat both ways.
corio::contract_description lobby()
{
    using corio::event_direction;
    using corio::value_kind;
    corio::contract_description contract{.nsp = "/"};
    contract.events.push_back({.name = "create_room",
                               .direction = event_direction::client_to_server,
                               .parameters = {{"name", scalar(value_kind::string)},
                                              {"seats", scalar(value_kind::integer)},
                                              {"private", of(value_kind::optional, scalar(value_kind::boolean))}},
                               .has_ack = true,
                               .ack = named(value_kind::structure, "room_info")});
    contract.events.push_back(
        {.name = "new_game",
         .direction = event_direction::server_to_client,
         .parameters = {{"room", named(value_kind::structure, "room_info")}, {"first", color()}}});
    contract.events.push_back({.name = "upload",
                               .direction = event_direction::client_to_server,
                               .parameters = {{"file", scalar(value_kind::binary)}}});
    contract.events.push_back({.name = "chat",
                               .direction = event_direction::client_to_server,
                               .parameters = {{"text", scalar(value_kind::string)}}});
    contract.events.push_back({.name = "chat",
                               .direction = event_direction::server_to_client,
                               .parameters = {{"text", scalar(value_kind::string)},
                                              {"at", of(value_kind::optional, scalar(value_kind::integer))},
                                              {"from", scalar(value_kind::string)}}});
    contract.structures.push_back(room_info());
    return contract;
}

// "/admin-chat": ping, with no argument, acked with any JSON.
corio::contract_description admin()
{
    corio::contract_description contract{.nsp = "/admin-chat"};
    contract.events.push_back({.name = "ping",
                               .direction = corio::event_direction::client_to_server,
                               .has_ack = true,
                               .ack = scalar(corio::value_kind::any)});
    return contract;
}

const asyncapi_info info{.title = "Lobby", .version = "1.2.3"};

json::value document(const std::vector<corio::contract_description>& contracts, const asyncapi_info& with = info)
{
    return json::parse(asyncapi_document(contracts, with));
}

// Every "$ref" in `value`, at any depth.
void collect_references(const json::value& value, std::vector<std::string>& out)
{
    if (const auto* object = value.if_object()) {
        for (const auto& member : *object) {
            if (member.key() == "$ref")
                out.emplace_back(member.value().as_string());
            else
                collect_references(member.value(), out);
        }
    } else if (const auto* array = value.if_array()) {
        for (const auto& element : *array)
            collect_references(element, out);
    }
}

BOOST_AUTO_TEST_SUITE(asyncapi)

BOOST_AUTO_TEST_CASE(states_version_and_info)
{
    const auto doc = document({lobby(), admin()});
    BOOST_TEST(doc.at("asyncapi") == "3.0.0");
    BOOST_TEST(doc.at("info").at("title") == "Lobby");
    BOOST_TEST(doc.at("info").at("version") == "1.2.3");
    BOOST_TEST(doc.at("info").at("description").as_string().find("`/`, `/admin-chat`") != json::string::npos);
    BOOST_TEST(doc.at("defaultContentType") == "application/json");
    BOOST_TEST(!doc.as_object().contains("servers"));

    const auto described = document({lobby()}, {.title = "t", .version = "1", .description = "Our lobby."});
    BOOST_TEST(described.at("info").at("description") == "Our lobby.");
}

BOOST_AUTO_TEST_CASE(a_channel_per_namespace_saying_how_it_maps_onto_socket_io)
{
    const auto doc = document({lobby(), admin()});
    const auto& channels = doc.at("channels").as_object();
    BOOST_TEST(channels.size() == 2u);
    BOOST_TEST(channels.at("root").at("address") == "/");
    BOOST_TEST(channels.at("admin-chat").at("address") == "/admin-chat");
    BOOST_TEST(channels.at("root").at("description").as_string().find("no Socket.IO binding") != json::string::npos);
}

BOOST_AUTO_TEST_CASE(an_event_is_a_message_whose_payload_is_its_argument_list)
{
    const auto doc = document({lobby()});
    const auto& message = doc.at_pointer("/channels/root/messages/create_room");
    BOOST_TEST(message.at("name") == "create_room");
    const auto& payload = message.at("payload");
    BOOST_TEST(payload.at("type") == "array");
    // The trailing std::optional may be left out.
    BOOST_TEST(payload.at("minItems") == 2);
    const auto& items = payload.at("items").as_array();
    BOOST_TEST(items.size() == 3u);
    BOOST_TEST(items[0] == json::parse(R"({"title": "name", "type": "string"})"));
    BOOST_TEST(items[1] == json::parse(R"({"title": "seats", "type": "integer"})"));
    BOOST_TEST(items[2] == json::parse(R"({"title": "private", "anyOf": [{"type": "boolean"}, {"type": "null"}]})"));

    // A std::optional before a required parameter is required (and may be null).
    const auto& chat = doc.at_pointer("/channels/root/messages/chat_from_server/payload");
    BOOST_TEST(chat.at("minItems") == 3);

    // No parameter: an array, nothing more said.
    const auto ping = document({admin()}).at_pointer("/channels/admin-chat/messages/ping/payload");
    BOOST_TEST(ping == json::parse(R"({"type": "array", "minItems": 0})"));
}

BOOST_AUTO_TEST_CASE(named_types_are_references_titled_by_the_parameter)
{
    const auto doc = document({lobby()});
    const auto& items = doc.at_pointer("/channels/root/messages/new_game/payload/items").as_array();
    BOOST_TEST(items[0] == json::parse(R"({"title": "room", "allOf": [{"$ref": "#/components/schemas/room_info"}]})"));
    BOOST_TEST(items[1] == json::parse(R"({"title": "first", "allOf": [{"$ref": "#/components/schemas/color"}]})"));
}

BOOST_AUTO_TEST_CASE(operations_are_the_servers_receive_and_send)
{
    const auto doc = document({lobby()});
    const auto& operations = doc.at("operations").as_object();
    BOOST_TEST(operations.size() == 5u);

    const auto& create_room = operations.at("root.receive.create_room");
    BOOST_TEST(create_room.at("action") == "receive");
    BOOST_TEST(create_room.at("channel") == json::parse(R"({"$ref": "#/channels/root"})"));
    BOOST_TEST(create_room.at("messages") == json::parse(R"([{"$ref": "#/channels/root/messages/create_room"}])"));

    BOOST_TEST(operations.at("root.send.new_game").at("action") == "send");
    BOOST_TEST(!operations.at("root.send.new_game").as_object().contains("reply"));
    // An event name used both ways is two messages, two operations.
    BOOST_TEST(operations.at("root.receive.chat_from_client").at("action") == "receive");
    BOOST_TEST(operations.at("root.send.chat_from_server").at("action") == "send");
    BOOST_TEST(doc.at_pointer("/channels/root/messages/chat_from_client/name") == "chat");
    BOOST_TEST(doc.at_pointer("/channels/root/messages/chat_from_server/name") == "chat");
}

BOOST_AUTO_TEST_CASE(an_ack_is_the_operations_reply)
{
    const auto doc = document({lobby(), admin()});
    const auto& reply = doc.at_pointer("/operations/root.receive.create_room/reply");
    BOOST_TEST(reply == json::parse(R"({"channel": {"$ref": "#/channels/root"},
                                        "messages": [{"$ref": "#/channels/root/messages/create_room_ack"}]})"));
    const auto& payload = doc.at_pointer("/channels/root/messages/create_room_ack/payload");
    BOOST_TEST(payload == json::parse(R"({"type": "array", "minItems": 1,
        "items": [{"title": "ack", "allOf": [{"$ref": "#/components/schemas/room_info"}]}]})"));

    const auto& any_ack = doc.at_pointer("/channels/admin-chat/messages/ping_ack/payload/items/0");
    BOOST_TEST(any_ack == json::parse(R"({"title": "ack", "description": "Any JSON value."})"));
}

BOOST_AUTO_TEST_CASE(structs_and_enums_are_component_schemas)
{
    const auto doc = document({lobby()});
    const auto& schemas = doc.at_pointer("/components/schemas").as_object();
    BOOST_TEST(schemas.size() == 2u);
    BOOST_TEST(schemas.at("room_info") == json::parse(R"({
        "type": "object",
        "title": "room_info",
        "properties": {
            "code": {"type": "string"},
            "seats": {"type": "integer"},
            "color": {"$ref": "#/components/schemas/color"},
            "note": {"type": "string"},
            "players": {"type": "array", "items": {"type": "string"}},
            "scores": {"type": "object", "additionalProperties": {"type": "number"}}
        },
        "required": ["code", "seats", "color", "players", "scores"],
        "additionalProperties": false})"));
    BOOST_TEST(schemas.at("color") ==
               json::parse(R"({"type": "string", "title": "color", "enum": ["red", "yellow"]})"));
}

BOOST_AUTO_TEST_CASE(a_binary_is_a_binary_string_said_to_be_an_attachment)
{
    const auto doc = document({lobby()});
    const auto& file = doc.at_pointer("/channels/root/messages/upload/payload/items/0");
    BOOST_TEST(file.at("type") == "string");
    BOOST_TEST(file.at("format") == "binary");
    BOOST_TEST(file.at("description").as_string().find("binary attachment") != json::string::npos);
}

BOOST_AUTO_TEST_CASE(every_reference_resolves)
{
    const auto doc = document({lobby(), admin()});
    std::vector<std::string> references;
    collect_references(doc, references);
    BOOST_TEST(references.size() > 10u);
    for (const auto& reference : references) {
        BOOST_TEST_INFO(reference);
        BOOST_REQUIRE(reference.starts_with("#/"));
        boost::system::error_code ec;
        BOOST_TEST(doc.find_pointer(reference.substr(1), ec) != nullptr);
    }
}

BOOST_AUTO_TEST_CASE(a_server_url_is_the_documents_server)
{
    const auto doc =
        document({lobby()}, {.title = "t", .version = "1", .server_url = "wss://example.com:8443/socket.io/"});
    const auto& server = doc.at_pointer("/servers/server");
    BOOST_TEST(server.at("protocol") == "wss");
    BOOST_TEST(server.at("host") == "example.com:8443");
    BOOST_TEST(server.at("pathname") == "/socket.io/");
    const auto bare = document({lobby()}, {.title = "t", .version = "1", .server_url = "http://localhost"});
    BOOST_TEST(!bare.at_pointer("/servers/server").as_object().contains("pathname"));
    BOOST_CHECK_THROW(document({lobby()}, {.title = "t", .version = "1", .server_url = "localhost:3000"}),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(names_the_document_cannot_keep_apart_are_errors)
{
    BOOST_CHECK_THROW(document({lobby()}, {.title = "", .version = "1"}), std::invalid_argument);

    // Two namespaces, one channel key.
    auto underscored = admin();
    underscored.nsp = "/admin_chat";
    auto spaced = admin();
    spaced.nsp = "/admin chat";
    BOOST_CHECK_THROW(document({underscored, spaced}), std::invalid_argument);

    // Two C++ types named room_info.
    auto other = admin();
    other.events.push_back({.name = "info", .parameters = {{"r", named(corio::value_kind::structure, "room_info")}}});
    other.structures.push_back({.name = "room_info", .cpp_name = "admin::room_info"});
    try {
        document({lobby(), other});
        BOOST_FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("lobby::room_info and admin::room_info") != std::string::npos);
    }

    // One struct shared by two namespaces is one schema.
    auto sharing = admin();
    sharing.structures.push_back(room_info());
    BOOST_TEST(document({lobby(), sharing}).at_pointer("/components/schemas").as_object().size() == 2u);

    // An event "create_room_ack" beside create_room's ack.
    auto clash = lobby();
    clash.events.push_back({.name = "create_room_ack"});
    BOOST_CHECK_THROW(document({clash}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_text_is_indented_and_deterministic)
{
    const auto text = asyncapi_document({lobby(), admin()}, info);
    BOOST_TEST(text.starts_with("{\n  \"asyncapi\": \"3.0.0\",\n  \"info\": {\n    \"title\": \"Lobby\",\n"));
    BOOST_TEST(text == asyncapi_document({lobby(), admin()}, info));
}

BOOST_AUTO_TEST_CASE(pretty_json_indents_by_two_spaces)
{
    const auto value = json::parse(R"({"a": [1, {"b": "x\"y"}], "c": {}, "d": []})");
    BOOST_TEST(corio::detail::pretty_json(value) ==
               "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x\\\"y\"\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}\n");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace asyncapi_test
