#include "tests/support/self_signed_certificate.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/spawned_process.h"

namespace keel::testing {

SelfSignedCertificate MakeSelfSignedCertificate(const std::filesystem::path& dir) {
  SelfSignedCertificate made{dir / "cert.pem", dir / "key.pem"};
  // An EC key is made in milliseconds (an RSA one can take a second); the
  // name a verifying client checks is the IP address, so it is a
  // subjectAltName.
  SpawnedProcess openssl({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                          "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", made.key.string(), "-out",
                          made.cert.string()},
                         dir / "openssl.out", dir / "openssl.err");
  if (openssl.Wait() != 0) {
    std::ifstream err(dir / "openssl.err");
    std::stringstream text;
    text << err.rdbuf();
    throw std::runtime_error("openssl could not make a certificate: " + text.str());
  }
  return made;
}

}  // namespace keel::testing
