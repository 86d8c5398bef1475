// A handler that acknowledges with another type than the event's ack.
// expect: static assertion failed: corio: on<Event>: the handler's result is not the event's ack type
// expect: event_ack_is<create_room, std::__cxx11::basic_string<char> >' evaluates to false
// expect: compile_fail/contract_ack_type.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/nsp.hpp>

void setup(corio::nsp& lobby_ns)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    lobby_ns.on<create_room>([](corio::context&, std::string name, int) { return room_info{name}; });
#else
    lobby_ns.on<create_room>([](corio::context&, std::string name, int) { return name; });
#endif
}
