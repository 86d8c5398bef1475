#include "scenario.hpp"

#include "binary_echo_scenario.hpp"
#include "churn_scenario.hpp"
#include "connect_scenario.hpp"
#include "echo_scenario.hpp"
#include "fanout_scenario.hpp"

namespace loadgen {

std::unique_ptr<scenario> make_scenario(run_context& ctx)
{
    switch (ctx.opts.scenario) {
    case scenario_kind::connect: return make_connect_scenario(ctx);
    case scenario_kind::echo: return make_echo_scenario(ctx);
    case scenario_kind::binary_echo: return make_binary_echo_scenario(ctx);
    case scenario_kind::fanout:
    case scenario_kind::cluster_fanout: return make_fanout_scenario(ctx);
    case scenario_kind::churn: return make_churn_scenario(ctx);
    }
    return nullptr;
}

} // namespace loadgen
