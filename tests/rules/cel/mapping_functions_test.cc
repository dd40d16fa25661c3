// parse_time, date_string, slug, person and identity (rules/cel/functions_mapping.cc):
// the expected values are worked out by hand from the tools' documented formats.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "engine/expression.h"
#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

class TwoPeople : public PeopleDirectory {
 public:
  std::optional<std::string_view> Find(std::string_view tool, std::string_view identity) const override {
    auto it = ids_.find(std::string(tool) + "/" + std::string(identity));
    if (it == ids_.end()) return std::nullopt;
    return std::string_view(it->second);
  }
  std::optional<std::string_view> IdentityOf(std::string_view tool, std::string_view user_id) const override {
    for (const auto& [key, id] : ids_) {
      if (id == user_id && key.starts_with(std::string(tool) + "/")) return std::string_view(key).substr(tool.size() + 1);
    }
    return std::nullopt;
  }

 private:
  std::map<std::string, std::string> ids_ = {{"jira/5b10ac8d82e05b22cc7d4ef5", "dana"}, {"clickup/183", "sam"}};
};

Result<Value> Eval(std::string_view expr, const PeopleDirectory* people = nullptr) {
  CompileOptions options;
  options.variables = {{"x", Kind::kDyn}};
  KEEL_ASSIGN_OR_RETURN(Program program, Compile(expr, options));
  Activation activation;
  activation.Bind("x", Value::Null());
  activation.SetPeople(people);
  return program.Evaluate(activation);
}

std::string Text(std::string_view expr, const PeopleDirectory* people = nullptr) {
  Result<Value> v = Eval(expr, people);
  if (!v.ok()) return "error: " + v.status().message();
  if (v->kind() == Kind::kTimestamp) return "ts " + std::string(ToJson(*v).get<std::string>());
  if (v->kind() == Kind::kString) return std::string(v->AsString());
  return v->DebugString();
}

TEST(ParseTime, ReadsRfc3339) {
  EXPECT_EQ(Text("parse_time('2024-05-01T10:00:00Z')"), "ts 2024-05-01T10:00:00Z");
  EXPECT_EQ(Text("parse_time('2024-05-01T12:00:00.250+02:00')"), "ts 2024-05-01T10:00:00.25Z");
}

TEST(ParseTime, ReadsJiraOffsetsWithoutColon) {
  EXPECT_EQ(Text("parse_time('2018-09-18T12:32:20.000+0000')"), "ts 2018-09-18T12:32:20Z");
  EXPECT_EQ(Text("parse_time('2018-09-18T12:32:20.123+0530')"), "ts 2018-09-18T07:02:20.123Z");
  EXPECT_EQ(Text("parse_time('2018-09-18T12:32:20.000-0700')"), "ts 2018-09-18T19:32:20Z");
}

TEST(ParseTime, ReadsGitLabForms) {
  EXPECT_EQ(Text("parse_time('2016-06-21 10:00:00 UTC')"), "ts 2016-06-21T10:00:00Z");
  EXPECT_EQ(Text("parse_time('2023-04-06 17:43:53 +0200')"), "ts 2023-04-06T15:43:53Z");
}

TEST(ParseTime, ReadsUnixMillisecondsAsIntDoubleOrDigits) {
  // 1537273940000 ms = 1537273940 s = 2018-09-18T12:32:20Z.
  EXPECT_EQ(Text("parse_time(1537273940000)"), "ts 2018-09-18T12:32:20Z");
  EXPECT_EQ(Text("parse_time(1537273940123.0)"), "ts 2018-09-18T12:32:20.123Z");
  EXPECT_EQ(Text("parse_time('1537273940000')"), "ts 2018-09-18T12:32:20Z");
  EXPECT_EQ(Text("parse_time(1537273940000u)"), "ts 2018-09-18T12:32:20Z");
  EXPECT_EQ(Text("parse_time(0)"), "ts 1970-01-01T00:00:00Z");
  EXPECT_EQ(Text("parse_time(-1)"), "ts 1969-12-31T23:59:59.999Z");
}

TEST(ParseTime, KeepsATimestamp) {
  EXPECT_EQ(Text("parse_time(timestamp('2024-01-02T03:04:05Z'))"), "ts 2024-01-02T03:04:05Z");
}

TEST(ParseTime, RefusesAnythingElse) {
  EXPECT_NE(Text("parse_time('yesterday')").find("parse_time: cannot read 'yesterday'"), std::string::npos);
  EXPECT_NE(Text("parse_time('2018-13-45T00:00:00Z')").find("parse_time"), std::string::npos);
  EXPECT_NE(Text("parse_time('')").find("parse_time"), std::string::npos);
  EXPECT_NE(Text("parse_time(x)").find("parse_time: cannot read null"), std::string::npos);
  EXPECT_NE(Text("parse_time(true)").find("parse_time"), std::string::npos);
  EXPECT_NE(Text("parse_time(99999999999999999)").find("parse_time"), std::string::npos);
  EXPECT_NE(Text("parse_time(1.0/0.0)").find("parse_time"), std::string::npos);
}

TEST(DateString, WritesTheCivilDay) {
  // ClickUp's due_date "1508369194377" is 2017-10-18T23:26:34.377Z.
  EXPECT_EQ(Text("date_string(parse_time('1508369194377'))"), "2017-10-18");
  EXPECT_EQ(Text("date_string(parse_time('1508369194377'), 'Europe/Paris')"), "2017-10-19");
  EXPECT_EQ(Text("date_string(parse_time('1508369194377'), '-05:00')"), "2017-10-18");
  EXPECT_NE(Text("date_string(parse_time(0), 'Nowhere/City')").find("error"), std::string::npos);
}

TEST(Slug, MakesSnakeCase) {
  EXPECT_EQ(Text("slug('In Progress')"), "in_progress");
  EXPECT_EQ(Text("slug('Story Points')"), "story_points");
  EXPECT_EQ(Text("slug('  --Done!! ')"), "done");
  EXPECT_EQ(Text("slug('to-do / QA')"), "to_do_qa");
  EXPECT_EQ(Text("slug('3rd party')"), "_3rd_party");
  EXPECT_EQ(Text("slug('Ünïcode Ok')"), "n_code_ok");
  EXPECT_EQ(Text("slug('" + std::string(70, 'a') + "')"), std::string(64, 'a'));
  // Cut at 64 characters, then no trailing '_'.
  EXPECT_EQ(Text("slug('" + std::string(63, 'a') + " b')"), std::string(63, 'a'));
  EXPECT_NE(Text("slug(' -- ')").find("slug"), std::string::npos);
}

TEST(Person, ResolvesThroughThePeopleDirectory) {
  TwoPeople people;
  EXPECT_EQ(Text("person('jira', '5b10ac8d82e05b22cc7d4ef5')", &people), "user:dana");
  EXPECT_EQ(Text("person('clickup', 183)", &people), "user:sam");
  EXPECT_EQ(Text("person('clickup', 183.0)", &people), "user:sam");
  EXPECT_EQ(Text("person('github', 'octocat')", &people), "github:octocat");
  EXPECT_EQ(Text("person('jira', '5b10ac8d82e05b22cc7d4ef5')"), "jira:5b10ac8d82e05b22cc7d4ef5");
  EXPECT_EQ(Text("person('github', x)", &people), "null");
  EXPECT_NE(Text("person('github', [1])", &people).find("person"), std::string::npos);
  EXPECT_NE(Text("person('github', '')", &people).find("person"), std::string::npos);
}

TEST(Identity, IsThePersonsIdentityInTheTool) {
  TwoPeople people;
  EXPECT_EQ(Text("identity('jira', 'user:dana')", &people), "5b10ac8d82e05b22cc7d4ef5");
  EXPECT_EQ(Text("identity('jira', 'dana')", &people), "5b10ac8d82e05b22cc7d4ef5");
  EXPECT_EQ(Text("identity('clickup', 'user:sam')", &people), "183");
  // Someone person() could not resolve comes back as the tool's identity.
  EXPECT_EQ(Text("identity('github', 'github:octocat')", &people), "octocat");
  EXPECT_EQ(Text("identity('github', 'user:dana')", &people), "null");  // no github identity
  EXPECT_EQ(Text("identity('jira', 'user:nobody')", &people), "null");
  EXPECT_EQ(Text("identity('jira', 'user:dana')"), "null");              // no people file
  EXPECT_EQ(Text("identity('jira', x)", &people), "null");
  EXPECT_NE(Text("identity('jira', 7)", &people).find("identity"), std::string::npos);
}

}  // namespace
}  // namespace keel::cel
