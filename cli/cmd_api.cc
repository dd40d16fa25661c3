// keel api token --person P --role R --workspace W [--name N]: a new token
// for keel serve's HTTP API. The token goes to stdout, once: keel keeps only
// its SHA-256, in the entry for the tokens file printed on stderr.
#include <iostream>

#include "cli/commands.h"
#include "cli/report.h"
#include "server/api/api_tokens.h"

namespace keel::cli {
namespace {

struct TokenFlags {
  std::string person;
  std::string role;
  std::vector<std::string> workspaces;
  std::string name;
};

// A YAML flow scalar that reads back as `text`.
std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

int RunToken(const TokenFlags& flags) {
  auto role = api::ParseRole(flags.role);
  if (!role.ok()) return ReportError("api token", role.status());
  for (const std::string& workspace : flags.workspaces) {
    if (workspace == "*" && *role != api::ApiRole::kAdmin) {
      return ReportError("api token", Status::InvalidArgument("only an admin token may name every workspace (\"*\")"));
    }
  }
  auto token = api::NewToken();
  if (!token.ok()) return ReportError("api token", token.status());
  std::string digest = api::TokenDigestHex(*token);
  std::string name = flags.name;
  if (name.empty()) {
    size_t colon = flags.person.find(':');
    name = (colon == std::string::npos ? flags.person : flags.person.substr(colon + 1)) + "-" + digest.substr(0, 8);
  }
  std::string workspaces;
  for (const std::string& workspace : flags.workspaces) workspaces += (workspaces.empty() ? "" : ", ") + Quoted(workspace);
  std::cout << *token << std::endl;
  std::cerr << "# Add to the tokens file (serve.yaml api.tokens_file); the token itself is not stored:\n"
            << "  - name: " << Quoted(name) << "\n"
            << "    sha256: " << digest << "\n"
            << "    person: " << Quoted(flags.person) << "\n"
            << "    role: " << api::RoleName(*role) << "\n"
            << "    workspaces: [" << workspaces << "]\n";
  return kExitOk;
}

}  // namespace

void AddApiCommand(CLI::App& app, int* exit_code) {
  CLI::App* group = app.add_subcommand("api", "The HTTP API of keel serve: make tokens");
  group->require_subcommand(1);
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* token = group->add_subcommand(
      "token", "Print a new API token on stdout and, on stderr, the entry to add to the tokens file (which holds "
               "only the token's SHA-256)");
  token->add_option("--person", flags->person, "Who the token acts as, e.g. user:olga")->required();
  token->add_option("--role", flags->role, "admin, member or guest")->required();
  token->add_option("--workspace", flags->workspaces, "A workspace it may see (repeat for more; \"*\": every one, "
                                                      "admins only)")
      ->required();
  token->add_option("--name", flags->name, "A name for messages and the audit (default: the person and the "
                                           "digest's first digits)");
  token->callback([flags, exit_code] { *exit_code = RunToken(*flags); });
}

}  // namespace keel::cli
