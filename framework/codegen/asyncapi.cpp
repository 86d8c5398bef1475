#include <corio/codegen/asyncapi.hpp>

#include "json_schema.hpp"
#include "pretty_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string_view>

namespace corio {
namespace {

namespace json = boost::json;

constexpr std::string_view schemas_pointer = "#/components/schemas/";

constexpr std::string_view channel_description =
    "AsyncAPI has no Socket.IO binding; this is how the document maps onto Socket.IO. "
    "The channel is a Socket.IO namespace (its address is the namespace's path). "
    "Each message is one event of the namespace: the message's `name` is the event's name, and its "
    "payload is the event's argument list, the JSON array that follows the name in the packet. "
    "An operation's reply is the event's acknowledgement (the ack packet's argument list). "
    "A value of format `binary` travels as a binary attachment of the packet.";

// Keys of the document's maps (channel, message and operation ids): AsyncAPI
// wants [A-Za-z0-9._-] in component keys; '.' is kept out so that it can join
// keys into operation ids that cannot collide.
std::string document_key(std::string_view name)
{
    std::string key;
    for (const char c : name) {
        const bool plain =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        key += plain ? c : '_';
    }
    return key.empty() ? "_" : key;
}

// "/" is "root", "/admin-chat" is "admin-chat", "/a/b" is "a_b".
std::string channel_key(std::string_view nsp)
{
    if (nsp.starts_with('/'))
        nsp.remove_prefix(1);
    return nsp.empty() ? std::string("root") : document_key(nsp);
}

std::string in_quotes(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

// Inline code in the document's CommonMark descriptions.
std::string as_code(std::string_view text)
{
    return "`" + std::string(text) + "`";
}

json::object reference(std::string pointer)
{
    return {{"$ref", std::move(pointer)}};
}

// components/schemas: every described struct and enum of every contract, once
// each, by name; two different C++ types of one name are an error.
class schema_components {
public:
    void add_structure(const structure_description& structure)
    {
        if (claim(structure.name, structure.cpp_name))
            schemas_[structure.name] = detail::structure_schema(structure, schemas_pointer);
        for (const auto& member : structure.members)
            add_enumerations(member.type);
    }

    void add_enumerations(const type_description& type)
    {
        if (type.kind == value_kind::enumeration && claim(type.name, type.cpp_name))
            schemas_[type.name] = detail::enumeration_schema(type);
        for (const auto& element : type.elements)
            add_enumerations(element);
    }

    json::object take() { return std::move(schemas_); }

private:
    // True when `name` is new; throws when another C++ type has it.
    bool claim(const std::string& name, const std::string& cpp_name)
    {
        const auto [it, inserted] = cpp_names_.emplace(name, cpp_name);
        if (!inserted && it->second != cpp_name)
            throw std::invalid_argument("corio: AsyncAPI document: two types are named " + in_quotes(name) + " (" +
                                        it->second + " and " + cpp_name +
                                        "); the document's schemas are keyed by name");
        return inserted;
    }

    json::object schemas_;
    std::map<std::string, std::string> cpp_names_;
};

bool client_sends(const event_description& event)
{
    return event.direction == event_direction::client_to_server;
}

// An event's message key: its name, made a key; an event name used both ways
// gets the direction after it.
std::string message_key(const contract_description& contract, const event_description& event)
{
    const bool both_ways = std::ranges::any_of(contract.events, [&](const event_description& other) {
        return other.name == event.name && other.direction != event.direction;
    });
    std::string key = document_key(event.name);
    if (both_ways)
        key += client_sends(event) ? "_from_client" : "_from_server";
    return key;
}

json::object event_message(const event_description& event)
{
    std::string summary = client_sends(event) ? "The client emits it; the server handles it."
                                              : "The server emits it; the client handles it.";
    if (event.has_ack)
        summary += " The receiver acknowledges it (the operation's reply).";
    return {{"name", event.name},
            {"title", event.name},
            {"summary", std::move(summary)},
            {"payload", detail::arguments_schema(event.parameters, schemas_pointer)}};
}

json::object ack_message(const event_description& event)
{
    const std::vector<parameter_description> ack{{"ack", event.ack}};
    return {{"title", event.name + " acknowledgement"},
            {"summary",
             "The acknowledgement of " + as_code(event.name) + ": the ack packet's argument list, the one ack value."},
            {"payload", detail::arguments_schema(ack, schemas_pointer)}};
}

class document_builder {
public:
    void add(const contract_description& contract)
    {
        if (contract.nsp.find_first_of("{}") != std::string::npos)
            throw std::invalid_argument("corio: AsyncAPI document: namespace " + in_quotes(contract.nsp) +
                                        ": braces in a channel address are AsyncAPI parameters");
        const std::string channel = channel_key(contract.nsp);
        if (const auto [it, inserted] = channel_nsps_.emplace(channel, contract.nsp); !inserted)
            throw std::invalid_argument("corio: AsyncAPI document: namespaces " + in_quotes(it->second) + " and " +
                                        in_quotes(contract.nsp) + " are both channel " + in_quotes(channel));
        const std::string channel_pointer = "#/channels/" + channel;

        json::object messages;
        const auto add_message = [&](const std::string& key, json::object message, const std::string& event) {
            if (messages.contains(key))
                throw std::invalid_argument("corio: AsyncAPI document: namespace " + in_quotes(contract.nsp) +
                                            ": two messages are keyed " + in_quotes(key) + " (one is event " +
                                            in_quotes(event) + "); rename one of the events");
            messages[key] = std::move(message);
            return reference(channel_pointer + "/messages/" + key);
        };
        for (const auto& event : contract.events) {
            const std::string key = message_key(contract, event);
            const char* action = client_sends(event) ? "receive" : "send";
            json::object operation{
                {"action", action},
                {"channel", reference(channel_pointer)},
                {"summary", std::string(client_sends(event) ? "The server receives " : "The server sends ") +
                                as_code(event.name) + "."},
                {"messages", json::array{add_message(key, event_message(event), event.name)}}};
            if (event.has_ack)
                operation["reply"] = {
                    {"channel", reference(channel_pointer)},
                    {"messages", json::array{add_message(key + "_ack", ack_message(event), event.name)}}};
            operations_[channel + "." + action + "." + key] = std::move(operation);
            for (const auto& parameter : event.parameters)
                schemas_.add_enumerations(parameter.type);
            if (event.has_ack)
                schemas_.add_enumerations(event.ack);
        }
        for (const auto& structure : contract.structures)
            schemas_.add_structure(structure);

        channels_[channel] = {{"address", contract.nsp},
                              {"title", "Namespace " + contract.nsp},
                              {"description", channel_description},
                              {"messages", std::move(messages)}};
    }

    json::object take_channels() { return std::move(channels_); }
    json::object take_operations() { return std::move(operations_); }
    json::object take_schemas() { return schemas_.take(); }

private:
    std::map<std::string, std::string> channel_nsps_;
    json::object channels_;
    json::object operations_;
    schema_components schemas_;
};

json::object info_object(const std::vector<contract_description>& contracts, const asyncapi_info& info)
{
    if (info.title.empty() || info.version.empty())
        throw std::invalid_argument("corio: AsyncAPI document: the info needs a title and a version");
    std::string description = info.description;
    if (description.empty()) {
        description = "The Socket.IO events of the namespace";
        description += contracts.size() == 1 ? " " : "s ";
        for (std::size_t i = 0; i < contracts.size(); ++i)
            description += (i == 0 ? "" : ", ") + as_code(contracts[i].nsp);
        description += ", from the server's event contracts (generated by Corio).";
    }
    return {{"title", info.title}, {"version", info.version}, {"description", std::move(description)}};
}

// "wss://example.com/socket.io/": protocol "wss", host "example.com",
// pathname "/socket.io/".
json::object server_object(const std::string& url)
{
    const auto scheme_end = url.find("://");
    const auto host_begin = scheme_end + 3;
    const auto host_end = scheme_end == std::string::npos ? scheme_end : url.find('/', host_begin);
    if (scheme_end == std::string::npos || scheme_end == 0 || host_end == host_begin)
        throw std::invalid_argument("corio: AsyncAPI document: server URL " + in_quotes(url) +
                                    ": expected scheme://host[:port][/path]");
    json::object server{{"host", url.substr(host_begin, host_end - host_begin)},
                        {"protocol", url.substr(0, scheme_end)}};
    if (host_end != std::string::npos)
        server["pathname"] = url.substr(host_end);
    return server;
}

} // namespace

std::string asyncapi_document(const std::vector<contract_description>& contracts, const asyncapi_info& info)
{
    json::object document{{"asyncapi", "3.0.0"}, {"info", info_object(contracts, info)}};
    if (!info.server_url.empty())
        document["servers"] = {{"server", server_object(info.server_url)}};
    document["defaultContentType"] = "application/json";

    document_builder builder;
    for (const auto& contract : contracts)
        builder.add(contract);
    document["channels"] = builder.take_channels();
    document["operations"] = builder.take_operations();
    if (auto schemas = builder.take_schemas(); !schemas.empty())
        document["components"] = {{"schemas", std::move(schemas)}};
    return detail::pretty_json(document);
}

} // namespace corio
