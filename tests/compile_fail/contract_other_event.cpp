// A handler for an event of another contract.
// expect: static assertion failed: corio: typed_nsp: the event is not in the namespace's contract
// expect: contract_has_event<corio::contract<create_room, new_game>, chat_message>' evaluates to false
// expect: compile_fail/contract_other_event.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/typed_nsp.hpp>

void setup(corio::typed_nsp<lobby> ns)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    corio::nsp untyped = ns.untyped();
    untyped.on<chat_message>([](corio::context&, std::string) {});
#else
    ns.on<chat_message>([](corio::context&, std::string) {});
#endif
}
