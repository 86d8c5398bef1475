// A handler for an event the server sends (server-to-client).
// expect: static assertion failed: corio: on<Event>: a server-to-client event has no handler on the server
// expect: is_client_to_server_event<new_game>' evaluates to false
// expect: compile_fail/contract_direction.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/nsp.hpp>

void setup(corio::nsp& lobby_ns)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    lobby_ns.emit<new_game>(game_state{"K7QD", 1});
#else
    lobby_ns.on<new_game>([](corio::context&, game_state) {});
#endif
}
