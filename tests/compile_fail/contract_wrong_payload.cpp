// A handler whose parameters are not the event's argument types: here in
// the wrong order.
// expect: static assertion failed: corio: on<Event>: a handler parameter is not of the event's argument type
// expect: event_argument_is<create_room, 1, int>' evaluates to false
// expect: compile_fail/contract_wrong_payload.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/nsp.hpp>

void setup(corio::nsp& lobby_ns)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    lobby_ns.on<create_room>([](corio::context&, std::string name, int seats) {
#else
    lobby_ns.on<create_room>([](corio::context&, int seats, std::string name) {
#endif
        return room_info{name + " (" + std::to_string(seats) + " seats)"};
    });
}
