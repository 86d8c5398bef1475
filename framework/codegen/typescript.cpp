#include <corio/codegen/typescript.hpp>

#include <cctype>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace corio {

namespace {

bool is_identifier(std::string_view name)
{
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())))
        return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$')
            return false;
    return true;
}

// A TypeScript (and JSON) string literal.
std::string quoted(std::string_view text)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += "\\u00";
            out += hex[(c >> 4) & 0xf];
            out += hex[c & 0xf];
        } else {
            out += c;
        }
    }
    return out + '"';
}

// A property key: as it is when it is an identifier, else quoted.
std::string property_key(std::string_view name)
{
    return is_identifier(name) ? std::string(name) : quoted(name);
}

// A type's TypeScript text, and whether it is a union (which an array
// element type must then parenthesise).
struct ts_type {
    std::string text;
    bool is_union = false;
};

ts_type render(const type_description& type)
{
    switch (type.kind) {
    case value_kind::boolean:
        return {"boolean"};
    case value_kind::integer:
    case value_kind::number:
        return {"number"};
    case value_kind::string:
        return {"string"};
    case value_kind::binary:
        return {"ArrayBuffer | Uint8Array", true};
    case value_kind::any:
        return {"unknown"};
    case value_kind::object:
        return {"Record<string, unknown>"};
    case value_kind::array: {
        if (type.elements.empty())
            return {"unknown[]"};
        auto element = render(type.elements.front());
        return {element.is_union ? "(" + element.text + ")[]" : element.text + "[]"};
    }
    case value_kind::map:
        return {"Record<string, " + render(type.elements.front()).text + ">"};
    case value_kind::optional:
        return {render(type.elements.front()).text + " | null", true};
    case value_kind::structure:
    case value_kind::enumeration:
        return {pascal_case(type.name)};
    }
    throw std::invalid_argument("corio: typescript_declarations: unknown value_kind of " + type.cpp_name);
}

// The named types (structs, enums) of every contract, each once: checks that
// no two different C++ types get one TypeScript name.
class named_types {
public:
    void add_type(const type_description& type)
    {
        if (type.kind == value_kind::enumeration && claim(pascal_case(type.name), type.cpp_name))
            enumerations.push_back(&type);
        for (const auto& element : type.elements)
            add_type(element);
    }

    void add_structure(const structure_description& structure)
    {
        if (claim(pascal_case(structure.name), structure.cpp_name))
            structures.push_back(&structure);
        for (const auto& member : structure.members)
            add_type(member.type);
    }

    std::vector<const type_description*> enumerations;
    std::vector<const structure_description*> structures;

private:
    // True the first time `ts_name` is seen.
    bool claim(const std::string& ts_name, const std::string& cpp_name)
    {
        auto [it, inserted] = owners_.emplace(ts_name, cpp_name);
        if (!inserted && it->second != cpp_name)
            throw std::invalid_argument("corio: two types get the TypeScript name " + ts_name + ": " + it->second +
                                        " and " + cpp_name + " (rename one)");
        return inserted;
    }

    std::map<std::string, std::string> owners_;
};

void write_enumeration(std::string& out, const type_description& type)
{
    out += "/** " + type.cpp_name + " */\nexport type " + pascal_case(type.name) + " =";
    if (type.enumerators.empty())
        out += " never";
    for (std::size_t i = 0; i < type.enumerators.size(); ++i)
        out += (i == 0 ? " " : " | ") + quoted(type.enumerators[i]);
    out += ";\n\n";
}

void write_structure(std::string& out, const structure_description& structure)
{
    out += "/** " + structure.cpp_name + " */\nexport interface " + pascal_case(structure.name) + " {\n";
    for (const auto& member : structure.members) {
        // Corio leaves an empty std::optional member out, and reads a missing one as std::nullopt.
        if (member.type.kind == value_kind::optional)
            out += "    " + property_key(member.name) + "?: " + render(member.type.elements.front()).text + ";\n";
        else
            out += "    " + property_key(member.name) + ": " + render(member.type).text + ";\n";
    }
    out += "}\n\n";
}

// `name: (p1: T1, p2?: T2, callback: (ack: A) => void) => void;`. A trailing
// std::optional parameter (none but optionals after it, and no callback,
// which is required) is `p?: T`; another one is `p: T | null`.
std::string event_signature(const event_description& event)
{
    std::size_t required = event.parameters.size();
    if (!event.has_ack)
        while (required > 0 && event.parameters[required - 1].type.kind == value_kind::optional)
            --required;
    std::string out = "    " + property_key(event.name) + ": (";
    for (std::size_t i = 0; i < event.parameters.size(); ++i) {
        const auto& parameter = event.parameters[i];
        if (!is_identifier(parameter.name))
            throw std::invalid_argument("corio: parameter " + std::to_string(i + 1) + " of the event " +
                                        quoted(event.name) + " is named " + quoted(parameter.name) +
                                        ", which is not a TypeScript identifier");
        if (i > 0)
            out += ", ";
        if (i >= required)
            out += parameter.name + "?: " + render(parameter.type.elements.front()).text;
        else
            out += parameter.name + ": " + render(parameter.type).text;
    }
    if (event.has_ack)
        out += std::string(event.parameters.empty() ? "" : ", ") + "callback: (ack: " + render(event.ack).text +
               ") => void";
    return out + ") => void;\n";
}

void write_events(std::string& out, const contract_description& contract, event_direction direction,
                  std::string_view interface_name)
{
    out += "export interface " + pascal_case(contract.nsp) + std::string(interface_name) + " {\n";
    for (const auto& event : contract.events)
        if (event.direction == direction)
            out += event_signature(event);
    out += "}\n\n";
}

} // namespace

std::string pascal_case(std::string_view name)
{
    std::string out;
    bool word_start = true;
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            word_start = true;
            continue;
        }
        out += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        word_start = false;
    }
    return out;
}

std::string typescript_declarations(const std::vector<contract_description>& contracts, std::string_view source)
{
    named_types types;
    for (const auto& contract : contracts) {
        for (const auto& event : contract.events) {
            for (const auto& parameter : event.parameters)
                types.add_type(parameter.type);
            if (event.has_ack)
                types.add_type(event.ack);
        }
        for (const auto& structure : contract.structures)
            types.add_structure(structure);
    }

    std::string out = "// Generated by Corio's TypeScript generator from " + std::string(source) +
                      ": do not edit.\n// The event contracts of the namespace" + (contracts.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < contracts.size(); ++i)
        out += (i == 0 ? " " : ", ") + quoted(contracts[i].nsp);
    out += ", for socket.io-client:\n"
           "//   const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);\n\n";
    for (const auto* enumeration : types.enumerations)
        write_enumeration(out, *enumeration);
    for (const auto* structure : types.structures)
        write_structure(out, *structure);
    for (const auto& contract : contracts) {
        out += "// Namespace " + quoted(contract.nsp) + ".\n";
        write_events(out, contract, event_direction::server_to_client, "ServerToClientEvents");
        write_events(out, contract, event_direction::client_to_server, "ClientToServerEvents");
    }
    out.pop_back(); // one newline at the end
    return out;
}

} // namespace corio
