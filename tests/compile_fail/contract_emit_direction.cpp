// emit<Event> of an event the client sends (client-to-server).
// expect: static assertion failed: corio: emit<Event>: a client-to-server event is not emitted by the server
// expect: is_server_to_client_event<create_room>' evaluates to false
// expect: compile_fail/contract_emit_direction.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/context.hpp>

void answer(corio::context& ctx)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    ctx.emit<new_game>(game_state{"K7QD", 1});
#else
    ctx.emit<create_room>("K7QD", 2);
#endif
}
