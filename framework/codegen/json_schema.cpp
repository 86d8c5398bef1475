#include "json_schema.hpp"

#include <boost/json/array.hpp>

#include <string>

namespace corio::detail {
namespace {

namespace json = boost::json;

json::object null_schema()
{
    return {{"type", "null"}};
}

// The value `type` holds when present: a std::optional's own type.
const type_description& unwrapped(const type_description& type)
{
    if (type.kind == value_kind::optional && !type.elements.empty())
        return type.elements.front();
    return type;
}

json::object nullable(json::object schema)
{
    return {{"anyOf", json::array{std::move(schema), null_schema()}}};
}

} // namespace

json::object value_schema(const type_description& type, std::string_view schemas_pointer)
{
    const auto element = [&]() -> json::object {
        if (type.elements.empty())
            return {{"description", "Any JSON value."}};
        return value_schema(type.elements.front(), schemas_pointer);
    };
    switch (type.kind) {
    case value_kind::boolean:
        return {{"type", "boolean"}};
    case value_kind::integer:
        return {{"type", "integer"}};
    case value_kind::number:
        return {{"type", "number"}};
    case value_kind::string:
        return {{"type", "string"}};
    case value_kind::binary:
        return {{"type", "string"},
                {"format", "binary"},
                {"description", "A binary attachment: Socket.IO sends its bytes beside the JSON of the packet "
                                "(ArrayBuffer or Uint8Array in JavaScript), not as a string."}};
    case value_kind::any:
        return {{"description", "Any JSON value."}};
    case value_kind::object:
        return {{"type", "object"}};
    case value_kind::array:
        if (type.elements.empty())
            return {{"type", "array"}};
        return {{"type", "array"}, {"items", element()}};
    case value_kind::map:
        return {{"type", "object"}, {"additionalProperties", element()}};
    case value_kind::optional:
        return nullable(element());
    case value_kind::structure:
    case value_kind::enumeration:
        return {{"$ref", std::string(schemas_pointer) + type.name}};
    }
    return {};
}

json::object structure_schema(const structure_description& structure, std::string_view schemas_pointer)
{
    json::object properties;
    json::array required;
    for (const auto& member : structure.members) {
        // Corio's emits leave an empty std::optional member out: present, it holds a value.
        properties[member.name] = value_schema(unwrapped(member.type), schemas_pointer);
        if (member.type.kind != value_kind::optional)
            required.emplace_back(member.name);
    }
    json::object schema{{"type", "object"}, {"title", structure.name}};
    schema["properties"] = std::move(properties);
    if (!required.empty())
        schema["required"] = std::move(required);
    schema["additionalProperties"] = false;
    return schema;
}

json::object enumeration_schema(const type_description& enumeration)
{
    json::array names;
    for (const auto& name : enumeration.enumerators)
        names.emplace_back(name);
    return {{"type", "string"}, {"title", enumeration.name}, {"enum", std::move(names)}};
}

json::object arguments_schema(const std::vector<parameter_description>& parameters, std::string_view schemas_pointer)
{
    // Parameters after the last one that is not a std::optional may be left out.
    std::size_t required = parameters.size();
    while (required > 0 && parameters[required - 1].type.kind == value_kind::optional)
        --required;

    json::array items;
    for (const auto& parameter : parameters) {
        json::object item = value_schema(parameter.type, schemas_pointer);
        // Beside a $ref, draft 07 ignores every keyword: the title goes on an allOf around it.
        if (item.contains("$ref"))
            item = {{"allOf", json::array{std::move(item)}}};
        json::object titled{{"title", parameter.name}};
        for (auto& keyword : item)
            titled[keyword.key()] = std::move(keyword.value());
        items.emplace_back(std::move(titled));
    }
    json::object schema{{"type", "array"}};
    if (!items.empty())
        schema["items"] = std::move(items);
    schema["minItems"] = required;
    return schema;
}

} // namespace corio::detail
