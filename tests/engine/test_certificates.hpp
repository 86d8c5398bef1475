#pragma once
// A certificate authority made for one test run, and the server
// certificates it signs, as PEM files in a temporary directory: the TLS
// tests trust nothing that outlives them.

#include <corio/engine/options.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace corio_test {

class test_ca {
public:
    /// A fresh CA (an EC P-256 key, a self-signed certificate) in a new
    /// temporary directory.
    test_ca();
    /// Removes the directory.
    ~test_ca();
    test_ca(const test_ca&) = delete;
    test_ca& operator=(const test_ca&) = delete;

    /// The CA's certificate, for clients to trust.
    std::string ca_file() const;

    /// Writes `<name>.crt` (the server certificate, then the CA's: a chain)
    /// and `<name>.key`, for 127.0.0.1 and localhost with common name `cn`,
    /// replacing any files of that name; returns options naming them.
    corio::engine::tls_options issue(const std::string& name, const std::string& cn);

    /// A path in the directory, for files a test writes itself.
    std::string path(const std::string& file) const;

private:
    struct keys;
    std::filesystem::path dir_;
    std::unique_ptr<keys> keys_;
};

} // namespace corio_test
