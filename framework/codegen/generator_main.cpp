// The generator's main() (the object library corio::codegen_main): linked
// with the objects holding CORIO_EXPORT_CONTRACT lines, it writes what the
// options ask for from corio::exported_contracts():
//
//   <generator> --source NAME --typescript FILE
//   <generator> --source NAME --asyncapi FILE [--title T] [--version V]
//               [--description D] [--server URL]
//
// --source names what the contracts come from, for the files' header
// comments (corio_generate_typescript passes its target's name). The
// AsyncAPI document's info is --title (default: the source), --version
// (default 0.0.0) and --description; --server is the URL its clients connect
// to (corio/codegen/asyncapi.hpp). Exits 1 with a message on stderr for a
// bad command line or a contract that cannot be generated (two types with
// one name, ...).

#include <corio/codegen/asyncapi.hpp>
#include <corio/codegen/typescript.hpp>
#include <corio/contract_export.hpp>

#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

// Every option takes one value. A new output adds its option here and its
// writer in run() below.
const std::set<std::string_view> known_options = {"--source",  "--typescript",  "--asyncapi", "--title",
                                                  "--version", "--description", "--server"};

std::map<std::string, std::string> parse_options(int argc, char** argv)
{
    std::map<std::string, std::string> options;
    for (int i = 1; i < argc; i += 2) {
        std::string_view name = argv[i];
        if (!known_options.contains(name))
            throw std::invalid_argument("unknown option " + std::string(name));
        if (i + 1 == argc)
            throw std::invalid_argument("option " + std::string(name) + " needs a value");
        options[std::string(name)] = argv[i + 1];
    }
    return options;
}

void write_file(const std::filesystem::path& path, const std::string& text)
{
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

void run(const std::map<std::string, std::string>& options)
{
    auto source = options.contains("--source") ? options.at("--source") : std::string("the exported contracts");
    auto contracts = corio::exported_contracts();
    if (contracts.empty())
        throw std::invalid_argument("no contract is exported (CORIO_EXPORT_CONTRACT, corio/contract_export.hpp) in " +
                                    source);
    bool wrote = false;
    if (auto it = options.find("--typescript"); it != options.end()) {
        write_file(it->second, corio::typescript_declarations(contracts, source));
        wrote = true;
    }
    if (auto it = options.find("--asyncapi"); it != options.end()) {
        const auto option = [&](const std::string& name, std::string otherwise) {
            auto found = options.find(name);
            return found == options.end() ? otherwise : found->second;
        };
        const corio::asyncapi_info info{.title = option("--title", source),
                                        .version = option("--version", "0.0.0"),
                                        .description = option("--description", ""),
                                        .server_url = option("--server", "")};
        write_file(it->second, corio::asyncapi_document(contracts, info));
        wrote = true;
    }
    if (!wrote)
        throw std::invalid_argument("no output asked for (--typescript FILE, --asyncapi FILE)");
}

} // namespace

int main(int argc, char** argv)
{
    try {
        run(parse_options(argc, argv));
        return 0;
    } catch (const std::exception& e) {
        std::cerr << (argc > 0 ? argv[0] : "corio generator") << ": " << e.what() << "\n";
        return 1;
    }
}
