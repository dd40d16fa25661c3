// parse_time, date_string, slug, person, identity, keel_marker and keel_subject
// (rules/cel/functions_mapping.cc):
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

// The marker an action mapping writes into an item it creates: keel-KIND-ID,
// bytes of ID outside [A-Za-z0-9._-] as %XX.
TEST(KeelMarker, WritesTheEntityWithoutSpaces) {
  EXPECT_EQ(Text("keel_marker('task/T-7')"), "keel-task-T-7");
  EXPECT_EQ(Text("keel_marker('key_result/kr.2_b')"), "keel-key_result-kr.2_b");
  EXPECT_EQ(Text("keel_marker('task/a b/c%d')"), "keel-task-a%20b%2Fc%25d");
  EXPECT_EQ(Text("keel_marker('initiative/Été')"), "keel-initiative-%C3%89t%C3%A9");
  EXPECT_EQ(Text("keel_marker('task/x)y')"), "keel-task-x%29y");
  EXPECT_NE(Text("keel_marker('T-7')").find("keel_marker"), std::string::npos);         // no kind
  EXPECT_NE(Text("keel_marker('task/')").find("keel_marker"), std::string::npos);       // no id
  EXPECT_NE(Text("keel_marker('notice/N-1')").find("keel_marker"), std::string::npos);  // no entities of that kind
}

TEST(KeelSubject, ReadsTheMarkerBackFromLabels) {
  EXPECT_EQ(Text("keel_subject(['backend', 'keel-task-T-7', 'keel-task-T-8'])"), "task/T-7");
  EXPECT_EQ(Text("keel_subject(['keel-task-a%20b%2Fc%25d'])"), "task/a b/c%d");
  EXPECT_EQ(Text("keel_subject(['keel-initiative-%C3%89t%c3%a9'])"), "initiative/Été");
  EXPECT_EQ(Text("keel_subject(['keel-task-force', 1])"), "task/force");  // a label of that shape is keel's
  EXPECT_EQ(Text("keel_subject(['keel-team-alpha'])"), "null");         // not an entity kind
  EXPECT_EQ(Text("keel_subject(['keel-evt-123'])"), "null");            // an event id marker of old
  EXPECT_EQ(Text("keel_subject(['keel-task-'])"), "null");
  EXPECT_EQ(Text("keel_subject(['keel-task-T%2'])"), "null");           // a cut escape
  EXPECT_EQ(Text("keel_subject(['keel-task-T%zz'])"), "null");
  EXPECT_EQ(Text("keel_subject(['keel-task-%FF'])"), "null");           // not UTF-8
  EXPECT_EQ(Text("keel_subject(['keel-task-a b'])"), "null");           // a space is never in a marker
  EXPECT_EQ(Text("keel_subject([])"), "null");
  EXPECT_EQ(Text("keel_subject(x)"), "null");
}

TEST(KeelSubject, ReadsTheLastParenthesizedMarkerOfAText) {
  EXPECT_EQ(Text("keel_subject('Fix it.\\n\\nCreated by keel for task/T-7 (keel-task-T-7).')"), "task/T-7");
  EXPECT_EQ(Text("keel_subject('see (keel-task-T-1) and (keel-task-x%29y)')"), "task/x)y");
  EXPECT_EQ(Text("keel_subject('(keel-task-T-1) then (keel-team-a)')"), "task/T-1");
  EXPECT_EQ(Text("keel_subject('keel-task-T-7 without parentheses')"), "null");
  EXPECT_EQ(Text("keel_subject('(keel-task-T-7')"), "null");
  EXPECT_EQ(Text("keel_subject('')"), "null");
  EXPECT_NE(Text("keel_subject(7)").find("keel_subject"), std::string::npos);
}

// Every id comes back as it went out.
TEST(KeelMarker, RoundTripsThroughKeelSubject) {
  for (const char* subject : {"task/T-7", "task/a b", "goal/100%", "kpi/)(", "approval/x/y", "task/ünï ()", "task/-"}) {
    std::string expr = std::string("keel_subject([keel_marker('") + subject + "')])";
    EXPECT_EQ(Text(expr), subject) << expr;
    expr = std::string("keel_subject('Created (' + keel_marker('") + subject + "') + ').')";
    EXPECT_EQ(Text(expr), subject) << expr;
  }
}

}  // namespace
}  // namespace keel::cel
