// The sample contracts, exported for the generator that tests/codegen/CMakeLists.txt builds.

#include "sample_contract.hpp"

#include <corio/contract_export.hpp>

CORIO_EXPORT_CONTRACT(sample::lobby, "/");
CORIO_EXPORT_CONTRACT(sample::admin, "/admin-chat");
