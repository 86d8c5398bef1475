// corio_generate_typescript's and corio_generate_asyncapi's input (see CMakeLists.txt): a contract, exported.

#include <corio/contract.hpp>
#include <corio/contract_export.hpp>

#include <array>
#include <string>

namespace consumer {

struct ping : corio::client_to_server<"ping", corio::ack<std::string>(std::string text)> {
    static constexpr std::array parameter_names{"text"};
};
using contract = corio::contract<ping>;

} // namespace consumer

CORIO_EXPORT_CONTRACT(consumer::contract, "/");
