#include "test_certificates.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace corio_test {

namespace {

struct pkey_free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_free {
    void operator()(X509* x) const { X509_free(x); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

void check(bool ok, const char* what)
{
    if (!ok)
        throw std::runtime_error(std::string("test certificates: ") + what);
}

pkey_ptr make_key()
{
    pkey_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EC key generation");
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

/// A certificate for `key` named `cn`, signed by `issuer_key` (and named
/// after `issuer`, or after itself when null).
x509_ptr make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, bool ca, long serial)
{
    x509_ptr cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (ca) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid");
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    }
    check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

struct file_closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

std::unique_ptr<std::FILE, file_closer> open_for_writing(const std::filesystem::path& p)
{
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(p.c_str(), "w"));
    check(f != nullptr, "cannot write a file");
    return f;
}

} // namespace

struct test_ca::keys {
    pkey_ptr key;
    x509_ptr cert;
    long next_serial = 2;
};

test_ca::test_ca() : keys_(std::make_unique<keys>())
{
    std::string pattern = (std::filesystem::temp_directory_path() / "corio-tls-XXXXXX").string();
    check(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    dir_ = pattern;
    keys_->key = make_key();
    keys_->cert = make_cert(keys_->key.get(), "Corio test CA", nullptr, keys_->key.get(), true, 1);
    auto f = open_for_writing(ca_file());
    check(PEM_write_X509(f.get(), keys_->cert.get()) == 1, "PEM_write_X509");
}

test_ca::~test_ca()
{
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string test_ca::ca_file() const { return path("ca.crt"); }

std::string test_ca::path(const std::string& file) const { return (dir_ / file).string(); }

corio::engine::tls_options test_ca::issue(const std::string& name, const std::string& cn)
{
    auto key = make_key();
    auto cert = make_cert(key.get(), cn, keys_->cert.get(), keys_->key.get(), false, keys_->next_serial++);
    corio::engine::tls_options o;
    o.certificate_chain_file = path(name + ".crt");
    o.private_key_file = path(name + ".key");
    {
        auto f = open_for_writing(o.certificate_chain_file);
        check(PEM_write_X509(f.get(), cert.get()) == 1 && PEM_write_X509(f.get(), keys_->cert.get()) == 1,
              "PEM_write_X509");
    }
    auto f = open_for_writing(o.private_key_file);
    check(PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_PrivateKey");
    return o;
}

} // namespace corio_test
