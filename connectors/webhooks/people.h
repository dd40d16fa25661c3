// The people file of a workspace: each person's keel user id and identities
// in the tools (connectors/webhooks/README.md "People"). Mappings resolve a
// tool's user through it with person(tool, identity), action mappings a keel
// user's identity in a tool with identity(tool, user_id); sinks read it for
// addresses.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/expression.h"
#include "engine/status.h"

namespace keel::webhooks {

struct Person {
  std::string id;  // the keel user id: events say user:ID
  std::string name;
  std::string email;
  // tool -> identities ("jira" -> account ids and user names)
  std::map<std::string, std::vector<std::string>> identities;
};

// The tools a people file may name, besides email.
inline constexpr std::string_view kPeopleTools[] = {"jira", "github", "gitlab", "clickup", "linear"};

class PeopleFile final : public PeopleDirectory {
 public:
  // Unknown keys, a repeated id, or one identity of a tool given to two people
  // are InvalidArgument "file:line:col: message".
  static Result<PeopleFile> Load(std::string_view file_name, std::string_view text);
  static Result<PeopleFile> LoadFile(const std::string& path);

  // Identities of email, github and gitlab compare without case (those tools
  // ignore it); the others exactly.
  std::optional<std::string_view> Find(std::string_view tool, std::string_view identity) const override;
  // The first identity of `tool` the file lists for person `user_id` (for
  // "email", the email); nullopt when none.
  std::optional<std::string_view> IdentityOf(std::string_view tool, std::string_view user_id) const override;
  const std::vector<Person>& people() const { return people_; }
  const Person* ById(std::string_view id) const;

 private:
  static std::string Key(std::string_view tool, std::string_view identity);
  std::vector<Person> people_;
  std::unordered_map<std::string, size_t> by_identity_;  // Key() -> index into people_
};

// The people files of several workspaces (serve.yaml's `people:`).
class PeopleFiles {
 public:
  void Add(std::string workspace, std::shared_ptr<const PeopleFile> file) { files_[std::move(workspace)] = std::move(file); }
  const PeopleDirectory* For(std::string_view workspace) const;

 private:
  std::map<std::string, std::shared_ptr<const PeopleFile>, std::less<>> files_;
};

}  // namespace keel::webhooks
