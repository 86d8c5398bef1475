// A contract the generator refuses: two structs of one name (from two C++ namespaces). The
// test codegen_generator_refuses_a_clash runs its generator and expects the message.

#include <corio/contract.hpp>
#include <corio/contract_export.hpp>

#include <boost/describe/class.hpp>

#include <string>

namespace clashing {

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

struct swap : corio::client_to_server<"swap", void(first::item, second::item)> {};
using contract = corio::contract<swap>;

} // namespace clashing

CORIO_EXPORT_CONTRACT(clashing::contract, "/");
