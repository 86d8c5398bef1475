// emit<Event> with more arguments than the event declares.
// expect: static assertion failed: corio: emit<Event>: the number of arguments is not the event's
// expect: event_has_arity<new_game, 2>' evaluates to false
// expect: compile_fail/contract_emit_count.cpp:[0-9]+:[0-9]+:   required from here

#include "contract_lobby.hpp"

#include <corio/context.hpp>

void start(corio::context& ctx)
{
#ifdef CORIO_COMPILE_FAIL_CONTROL
    ctx.emit<new_game>(game_state{"K7QD", 1});
#else
    ctx.emit<new_game>(game_state{"K7QD", 1}, 2);
#endif
}
