// An event whose parameter_names does not hold one name per argument.
// expect: static assertion failed: corio: an event's parameter_names must hold one name per argument
// expect: parameter_names_fit<create_room>
// expect: compile_fail/parameter_names_size.cpp:[0-9]+:[0-9]+:   required from here

#include <corio/contract.hpp>

#include <array>
#include <string>

struct create_room : corio::client_to_server<"create_room", void(std::string name, int seats)> {
#ifdef CORIO_COMPILE_FAIL_CONTROL
    static constexpr std::array parameter_names{"name", "seats"};
#else
    static constexpr std::array parameter_names{"name"};
#endif
};
using lobby = corio::contract<create_room>;

static_assert(lobby::contains<create_room>);
