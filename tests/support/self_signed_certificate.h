// A self-signed TLS certificate for 127.0.0.1, made at test time with the
// openssl command, for the test servers (HTTPS, SMTP with STARTTLS or
// implicit TLS). A client trusts it by taking `cert` as its CA file.
#pragma once

#include <filesystem>

namespace keel::testing {

struct SelfSignedCertificate {
  std::filesystem::path cert;  // PEM; subjectAltName IP:127.0.0.1
  std::filesystem::path key;   // PEM, unencrypted
};

// Writes cert.pem and key.pem into `dir`. Throws std::runtime_error with
// openssl's message when it fails.
SelfSignedCertificate MakeSelfSignedCertificate(const std::filesystem::path& dir);

}  // namespace keel::testing
