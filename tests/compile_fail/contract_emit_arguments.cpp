// emit<Event> with an argument the event's argument type cannot take.
// expect: static assertion failed: corio: emit<Event>: an argument does not convert to the event's argument type
// expect: event_argument_accepts<new_game, 1, int>' evaluates to false
// expect: compile_fail/contract_emit_arguments.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/broadcast_operator.hpp>
#include <corio/context.hpp>

void start(corio::context& ctx)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    ctx.to("K7QD").emit<new_game>(game_state{"K7QD", 1});
#else
    ctx.to("K7QD").emit<new_game>(1);
#endif
}
