#include "connectors/webhooks/people.h"

#include <fstream>
#include <set>
#include <sstream>

#include "connectors/webhooks/mapping_yaml.h"
#include "engine/yaml_load.h"

namespace keel::webhooks {
namespace {

bool CaseBlind(std::string_view tool) { return tool == "email" || tool == "github" || tool == "gitlab"; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsTool(std::string_view key) {
  for (std::string_view tool : kPeopleTools) {
    if (tool == key) return true;
  }
  return false;
}

bool IsUserId(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (unsigned char c : id) {
    if (c <= 0x20 || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

std::string PeopleFile::Key(std::string_view tool, std::string_view identity) {
  std::string key(tool);
  key += '\0';
  key += CaseBlind(tool) ? Lower(identity) : std::string(identity);
  return key;
}

Result<PeopleFile> PeopleFile::Load(std::string_view file_name, std::string_view text) {
  std::string file(file_name);
  auto fail = [&](const YAML::Node& node, const std::string& message) {
    return Status::InvalidArgument(AtPlace(file, PlaceOf(node), message));
  };
  YamlPlace where;
  Result<std::vector<YAML::Node>> documents = LoadYaml(text, {}, &where);
  if (!documents.ok()) return YamlRefusal(file, documents.status(), where);
  if (documents->size() != 1) return Status::InvalidArgument(file + ": a people file holds one YAML document");
  const YAML::Node& root = (*documents)[0];
  if (!root.IsMap()) return fail(root, "a people file is a mapping with people:");
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it->first.Scalar() != "people") return fail(it->first, "unknown key '" + it->first.Scalar() + "' (known: people)");
  }
  YAML::Node list = root["people"];
  if (!list.IsDefined()) return fail(root, "missing key 'people'");
  if (!list.IsSequence()) return fail(list, "people: expected a list, got " + Describe(list));
  PeopleFile out;
  std::set<std::string, std::less<>> ids;
  for (const YAML::Node& entry : list) {
    if (!entry.IsMap()) return fail(entry, "a person is a mapping (id, name, email, jira, github, ...)");
    Person person;
    std::vector<std::pair<std::string, const YAML::Node*>> pending;
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      const std::string& key = it->first.Scalar();
      const YAML::Node& value = it->second;
      auto text_of = [&](const YAML::Node& node) -> std::optional<std::string> {
        if (!node.IsScalar()) return std::nullopt;
        nlohmann::json j = ScalarJson(node);
        if (j.is_string()) return j.get<std::string>();
        if (j.is_number_integer()) return j.dump();
        return std::nullopt;
      };
      if (key == "id" || key == "name" || key == "email") {
        std::optional<std::string> text = text_of(value);
        if (!text || text->empty()) return fail(value, key + ": expected text, got " + Describe(value));
        if (key == "id") {
          if (!IsUserId(*text)) return fail(value, "id: '" + *text + "' is not a user id (no spaces or control characters)");
          if (!ids.insert(*text).second) return fail(value, "id: '" + *text + "' is given to two people");
          person.id = *text;
        } else if (key == "name") {
          person.name = *text;
        } else {
          person.email = *text;
          person.identities["email"].push_back(*text);
        }
        continue;
      }
      if (!IsTool(key)) {
        return fail(it->first, "unknown key '" + key + "' (known: id, name, email, jira, github, gitlab, clickup, linear)");
      }
      std::vector<YAML::Node> values;
      if (value.IsSequence()) {
        for (const YAML::Node& v : value) values.push_back(v);
      } else {
        values.push_back(value);
      }
      for (const YAML::Node& v : values) {
        std::optional<std::string> text = text_of(v);
        if (!text || text->empty()) return fail(v, key + ": expected an identity (text or a number), got " + Describe(v));
        person.identities[key].push_back(*text);
      }
    }
    if (person.id.empty()) return fail(entry, "a person needs an id (the keel user id)");
    size_t index = out.people_.size();
    // Check each identity against the people before; point at the entry.
    for (const auto& [tool, identities] : person.identities) {
      for (const std::string& identity : identities) {
        auto [it, added] = out.by_identity_.emplace(Key(tool, identity), index);
        if (!added && it->second != index) {
          return fail(entry, tool + " identity '" + identity + "' is given to both '" + out.people_[it->second].id +
                                 "' and '" + person.id + "'");
        }
      }
    }
    out.people_.push_back(std::move(person));
  }
  return out;
}

Result<PeopleFile> PeopleFile::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot read the people file");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 16 * 1024 * 1024) return Status::InvalidArgument(path + ": a people file is at most 16 MiB");
  return Load(path, text.str());
}

std::optional<std::string_view> PeopleFile::Find(std::string_view tool, std::string_view identity) const {
  auto it = by_identity_.find(Key(tool, identity));
  if (it == by_identity_.end()) return std::nullopt;
  return std::string_view(people_[it->second].id);
}

std::optional<std::string_view> PeopleFile::IdentityOf(std::string_view tool, std::string_view user_id) const {
  const Person* person = ById(user_id);
  if (person == nullptr) return std::nullopt;
  if (tool == "email" && !person->email.empty()) return std::string_view(person->email);
  auto it = person->identities.find(std::string(tool));
  if (it == person->identities.end() || it->second.empty()) return std::nullopt;
  return std::string_view(it->second.front());
}

const Person* PeopleFile::ById(std::string_view id) const {
  for (const Person& person : people_) {
    if (person.id == id) return &person;
  }
  return nullptr;
}

const PeopleDirectory* PeopleFiles::For(std::string_view workspace) const {
  auto it = files_.find(workspace);
  return it == files_.end() ? nullptr : it->second.get();
}

}  // namespace keel::webhooks
