#pragma once
// Contracts exported to the generators (corio_generate_typescript in
// cmake/corio_codegen.cmake): at namespace scope in a .cpp of the library
// the generator is built from,
//
//   CORIO_EXPORT_CONTRACT(lobby, "/");
//   CORIO_EXPORT_CONTRACT(admin_contract, "/admin");
//
// registers each contract with its namespace; corio::exported_contracts()
// describes every registration linked into the program. Registering costs a
// function pointer at start-up and describes nothing until then, so a server
// may link the same library. Header-only: linking a library with these lines
// needs no Corio library.

#include <corio/contract_description.hpp>
#include <corio/describe_contract.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace corio {

/// One CORIO_EXPORT_CONTRACT line: describes its contract on demand.
using contract_describer = contract_description (*)();

/// Every registration of the program (one list across translation units: an
/// inline function's static).
inline std::vector<contract_describer>& contract_registrations()
{
    static std::vector<contract_describer> registrations;
    return registrations;
}

/// Registers a contract (CORIO_EXPORT_CONTRACT's static initialiser).
inline bool export_contract(contract_describer describe)
{
    contract_registrations().push_back(describe);
    return true;
}

/// Every exported contract, described, ordered by namespace. Throws
/// std::invalid_argument when describe_contract does (two types of one
/// contract with one name) or when two exports name one namespace.
inline std::vector<contract_description> exported_contracts()
{
    std::vector<contract_description> contracts;
    for (auto describe : contract_registrations())
        contracts.push_back(describe());
    std::stable_sort(contracts.begin(), contracts.end(),
                     [](const contract_description& a, const contract_description& b) { return a.nsp < b.nsp; });
    auto twice = std::adjacent_find(contracts.begin(), contracts.end(),
                                    [](const auto& a, const auto& b) { return a.nsp == b.nsp; });
    if (twice != contracts.end())
        throw std::invalid_argument("corio: two contracts are exported for the namespace \"" + twice->nsp + "\"");
    return contracts;
}

} // namespace corio

#define CORIO_DETAIL_EXPORT_NAME_(line) corio_exported_contract_##line
#define CORIO_DETAIL_EXPORT_NAME(line) CORIO_DETAIL_EXPORT_NAME_(line)

/// Exports `Contract` (a corio::contract<...>) for the namespace `nsp` (a
/// string literal, "/" or "/name"), at namespace scope in a .cpp.
#define CORIO_EXPORT_CONTRACT(Contract, nsp)                                                                           \
    [[maybe_unused]] static const bool CORIO_DETAIL_EXPORT_NAME(__COUNTER__) = ::corio::export_contract(               \
        []() -> ::corio::contract_description { return ::corio::describe_contract<Contract>(nsp); })
