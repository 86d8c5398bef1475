// A handler registered under a name the namespace's contract does not have.
// expect: static assertion failed: corio: typed_nsp: no event of that name in the namespace's contract
// expect: contract_has_event_named<corio::contract<create_room, new_game>, corio::fixed_string<11>{"create_rom"}
// expect: compile_fail/contract_wrong_name.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/typed_nsp.hpp>

void setup(corio::typed_nsp<lobby> ns)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    ns.on<"create_room">([](corio::context&, std::string name, int) { return room_info{name}; });
#else
    ns.on<"create_rom">([](corio::context&, std::string name, int) { return room_info{name}; });
#endif
}
