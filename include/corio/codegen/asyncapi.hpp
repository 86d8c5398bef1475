#pragma once
// An AsyncAPI 3.0.0 document (https://www.asyncapi.com/docs/reference/specification/v3.0.0)
// of contracts (corio/contract_description.hpp), for teams that document
// their real-time APIs. The application it describes, in AsyncAPI's terms,
// is the server.
//
// AsyncAPI has no Socket.IO binding, so the mapping is stated in each
// channel's description:
//   - a namespace is a channel, whose address is the namespace's path;
//   - an event is a message of that channel: its `name` is the event's name,
//     its payload the JSON Schema of the event's argument list (a JSON
//     array, one item a parameter, titled by the parameter's name);
//   - each event has one operation: `receive` for a client-to-server event
//     (the server receives it), `send` for a server-to-client one;
//   - an event's ack is the operation's `reply`, a message whose payload is
//     the ack's argument list (the one ack value);
//   - described structs and enums are schemas in components/schemas.
// See docs/guide.md, "AsyncAPI document"; cmake/corio_codegen.cmake's
// corio_generate_asyncapi writes it at build time.

#include <corio/contract_description.hpp>

#include <string>
#include <vector>

namespace corio {

/// What the document says of the API as a whole.
struct asyncapi_info {
    /// The API's name (info.title). Required.
    std::string title;
    /// The API's version (info.version), e.g. "1.0.0". Required.
    std::string version;
    /// info.description (CommonMark); empty: one naming the namespaces.
    std::string description;
    /// The URL clients connect to, e.g. "https://example.com/socket.io/":
    /// the document's one server (protocol, host, pathname). Empty: none.
    std::string server_url;
};

/// The AsyncAPI 3.0.0 document, as indented JSON, of `contracts` (one
/// channel each: their namespaces must differ). Deterministic: the same
/// contracts give the same text (namespaces, events and members in their
/// given order).
/// @throws std::invalid_argument when a name cannot be kept apart in the
/// document (an empty title or version, two namespaces or two events that map
/// to one key, two different types of one name, a server URL without
/// "scheme://"), with a message naming them.
std::string asyncapi_document(const std::vector<contract_description>& contracts, const asyncapi_info& info);

} // namespace corio
