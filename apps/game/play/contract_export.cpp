// The game's contract, exported to the TypeScript generator: the build writes
// events.d.ts from it (corio_generate_typescript in apps/game/CMakeLists.txt),
// and tsc checks the front end against that file.

#include "play/contract.hpp"

#include <corio/contract_export.hpp>

CORIO_EXPORT_CONTRACT(corio_game::game_contract, "/");
