// A contract whose event takes a type describe_contract cannot describe (a std::variant: its
// JSON is one of several, which a generated declaration cannot tell from the type).
// expect: static assertion failed: corio: describe_contract cannot describe a type of an event
// expect: event_type_is_describable<pick, std::variant<int, std::__cxx11::basic_string<char
// expect: compile_fail/describe_contract_variant.cpp:[0-9]+:[0-9]+:   required from here

#include <corio/contract.hpp>
#include <corio/describe_contract.hpp>

#include <string>
#include <variant>

#ifdef CORIO_COMPILE_FAIL_CONTROL
using choice = std::string;
#else
using choice = std::variant<int, std::string>;
#endif

struct pick : corio::client_to_server<"pick", void(int, choice)> {};
using picker = corio::contract<pick>;

corio::contract_description describe()
{
    return corio::describe_contract<picker>("/");
}
