// The scenario packs deliver (issue 22): each pack's serve.yaml, pointed at
// loopback servers, sends what its rules decide to the tools, and what a tool
// answers comes back into the log (pack_sinks.h runs it).
//   - 01-initiative-kickoff: the four kickoff tasks become Jira issues
//     through the built-in `jira` action (a search for the keel label first,
//     then the create, REST API v3), and each task gets a `task.linked`
//     {relation: external, target: jira:KEY, remote_id: ID} answer.
//   - 07-stalled-handoffs: the pings and the escalation reach Slack.
//   - 04-sensitive-data-guardrails: the approval requests reach the approvers
//     by mail (the pack's people file holds their addresses).
// The expected requests and mails are written here by hand from the tools'
// documentation and the packs' expected/derived.ndjson; the answer events'
// ids are SinkAnswerId's formula (answer_events.h), worked out by hand
// (`printf 'sink.answer\0EVENT\0jira\0000' | sha256sum`, the first 32 digits).
#include <atomic>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/examples/pack_sinks.h"
#include "tests/support/recording_http_server.h"
#include "tests/support/smtp_test_server.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kExamples = fs::path(KEEL_SOURCE_DIR) / "examples";

// The exported events of `run` with this id, parsed; null when none.
Json EventById(const PackDeliveryRun& run, const std::string& id) {
  for (const std::string& line : run.exported) {
    Json event = Json::parse(line);
    if (event.value("id", "") == id) return event;
  }
  return nullptr;
}

size_t CountOfType(const PackDeliveryRun& run, const std::string& type) {
  size_t count = 0;
  for (const std::string& line : run.exported) count += Json::parse(line).value("type", "") == type;
  return count;
}

// One kickoff task as expected/derived.ndjson has it, and the Jira issue the
// loopback Jira creates for it (in order: the one workspace's tasks go in
// log order).
struct KickoffTask {
  std::string event_id;    // its task.created
  std::string subject;
  std::string title;
  std::string description;
  std::string due_date;    // the due time's UTC day, as Jira's duedate
  std::string account_id;  // the assignee's Jira account id (people/acme.yaml)
  std::string answer_id;   // SinkAnswerId(event_id, "jira", 0)
};

// The label the jira action mapping marks a task's issue with: "keel-", the
// kind, "-", the id (these ids need no %XX escapes; connectors/actions/README.md).
std::string Marker(const KickoffTask& task) {
  return "keel-task-" + task.subject.substr(std::string("task/").size());
}

const std::vector<KickoffTask> kKickoffTasks = {
    {"d-c7bdaca5875ebc5e4b9e53330fff59bd", "task/t-c7bdaca5875ebc5e", "Write the brief for Website relaunch",
     "Part of initiative/IN-42 (Website relaunch): the goals, metrics and budget everyone else builds on.",
     "2026-03-04", "5f1a2b3c4d5e6f7a8b9c0d01", "a-46eb853a5843915e83848174fc9af12d"},
    {"d-fb755a77d58f48687a7a26a7880c58c5", "task/t-fb755a77d58f4868", "Design: Website relaunch",
     "Part of initiative/IN-42 (Website relaunch): the design the build follows.", "2026-03-09",
     "5f1a2b3c4d5e6f7a8b9c0d02", "a-8c987f15347ab7c2ce2078da6489f2dc"},
    {"d-7d58fb2a3b779699a4db9b4b403d2dfb", "task/t-7d58fb2a3b779699", "Build: Website relaunch",
     "Part of initiative/IN-42 (Website relaunch): build and ship what was designed.", "2026-03-23",
     "5f1a2b3c4d5e6f7a8b9c0d03", "a-5eefb9b71545695b4506a5bb25418026"},
    {"d-ebf3b8c36f87c54e48478817f0f9ffb1", "task/t-ebf3b8c36f87c54e", "Launch review of Website relaunch",
     "Part of initiative/IN-42 (Website relaunch): decide go or no-go with the numbers in hand.", "2026-03-25",
     "5f1a2b3c4d5e6f7a8b9c0d01", "a-0d76b4b1af955e387192f6e8bf8bc619"},
};

TEST(ExamplePackSinksTest, KickoffCreatesTheFourTasksInJiraAndLinksThemBack) {
  // A loopback Jira Cloud: POST /rest/api/3/search/jql finds nothing (no
  // issue has the keel label yet); POST /rest/api/3/issue answers 201 with
  // the created issue's id, key and self, as the REST API v3 documents.
  RecordingHttpServer jira;
  std::atomic<int> created{0};
  jira.AnswerWith([&jira, &created](const RecordedRequest& request) {
    if (request.method == "POST" && request.path == "/rest/api/3/search/jql") {
      return ScriptedAnswer::Json(200, R"({"issues":[],"isLast":true})");
    }
    if (request.method == "POST" && request.path == "/rest/api/3/issue") {
      int number = ++created;  // one workspace: the creates come one after the other, in log order
      std::string id = std::to_string(10000 + number);
      return ScriptedAnswer::Json(201, R"({"id":")" + id + R"(","key":"WEB-)" + std::to_string(number) +
                                           R"(","self":")" + jira.Url("/rest/api/3/issue/" + id) + R"("})");
    }
    return ScriptedAnswer::Status(404, "no such resource");
  });
  ::setenv("JIRA_USER", "keel-bot@acme.example", 1);
  ::setenv("JIRA_TOKEN", "pack-test-token", 1);

  fs::path pack = kExamples / "01-initiative-kickoff";
  TempDir dir;
  fs::path serve_yaml = WritePackServeConfig(pack, dir.path(), [&jira](YAML::Node sink) {
    sink["vars"]["base_url"] = jira.Url("");
  });
  PackDeliveryRun run = RunPackWithSinks(pack, serve_yaml, 8, [&jira] { return jira.RequestCount(); });
  ASSERT_TRUE(run.ok) << run.error;

  // Per task, in log order: the search for its label, then the create.
  std::vector<RecordedRequest> requests = jira.Requests();
  ASSERT_EQ(requests.size(), 8u);
  for (size_t i = 0; i < kKickoffTasks.size(); ++i) {
    const KickoffTask& task = kKickoffTasks[i];
    SCOPED_TRACE(task.title);
    const RecordedRequest& search = requests[2 * i];
    EXPECT_EQ(search.method, "POST");
    EXPECT_EQ(search.path, "/rest/api/3/search/jql");
    // Basic auth: base64("keel-bot@acme.example:pack-test-token").
    EXPECT_EQ(search.Header("authorization"), "Basic a2VlbC1ib3RAYWNtZS5leGFtcGxlOnBhY2stdGVzdC10b2tlbg==");
    EXPECT_EQ(Json::parse(search.body),
              Json::parse(R"({"jql":"project = \"WEB\" AND labels = \")" + Marker(task) +
                          R"(\"","fields":["key"],"maxResults":1})"));

    const RecordedRequest& create = requests[2 * i + 1];
    EXPECT_EQ(create.method, "POST");
    EXPECT_EQ(create.path, "/rest/api/3/issue");
    EXPECT_EQ(create.Header("authorization"), "Basic a2VlbC1ib3RAYWNtZS5leGFtcGxlOnBhY2stdGVzdC10b2tlbg==");
    EXPECT_EQ(create.Header("content-type"), "application/json");
    EXPECT_EQ(create.Header("accept"), "application/json");
    Json fields = Json::parse(create.body)["fields"];
    EXPECT_EQ(fields["project"], Json::parse(R"({"key":"WEB"})"));
    EXPECT_EQ(fields["issuetype"], Json::parse(R"({"name":"Task"})"));
    EXPECT_EQ(fields["summary"], task.title);
    // The description in Atlassian Document Format: one paragraph of text.
    EXPECT_EQ(fields["description"],
              Json::parse(R"({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":")" +
                          task.description + R"("}]}]})"));
    EXPECT_EQ(fields["labels"], Json::array({Marker(task), "kickoff"}));
    EXPECT_EQ(fields["assignee"], Json::parse(R"({"accountId":")" + task.account_id + R"("})"));
    EXPECT_EQ(fields["duedate"], task.due_date);
    EXPECT_EQ(fields.size(), 7u) << fields.dump();

    // The answer: the task is linked to its issue, under the derived id.
    Json linked = EventById(run, task.answer_id);
    ASSERT_FALSE(linked.is_null()) << "no answer " << task.answer_id << " in the log";
    EXPECT_EQ(linked["type"], "task.linked");
    EXPECT_EQ(linked["subject"], task.subject);
    EXPECT_EQ(linked["workspace"], "acme");
    // An action's answer names its sink (connectors/actions/README.md, "answer").
    EXPECT_EQ(linked["source"], "keel/sink/jira");
    EXPECT_EQ(linked["time"], "2026-03-02T09:00:00Z");
    std::string id = std::to_string(10001 + i);
    EXPECT_EQ(linked["data"], Json::parse(R"({"relation":"external","target":"jira:WEB-)" + std::to_string(i + 1) +
                                          R"(","remote_id":")" + id + R"("})"));
  }
  // The four answers are the only events the delivery added: 7 task.linked
  // the rules derived (4 implements, 3 depends_on), and the 4 answers.
  EXPECT_EQ(CountOfType(run, "task.linked"), 11u);
}

TEST(ExamplePackSinksTest, StalledHandoffsPingsAndEscalationReachSlack) {
  RecordingHttpServer slack;  // answers 200 "ok", as Slack's incoming webhooks do
  ::setenv("SLACK_WEBHOOK_URL", slack.Url("/services/T0001/B0001/pack-test").c_str(), 1);
  fs::path pack = kExamples / "07-stalled-handoffs";
  TempDir dir;
  fs::path serve_yaml = WritePackServeConfig(pack, dir.path(), [](YAML::Node) {});
  PackDeliveryRun run = RunPackWithSinks(pack, serve_yaml, 4, [&slack] { return slack.RequestCount(); });
  ASSERT_TRUE(run.ok) << run.error;

  // The four notification.requested of expected/derived.ndjson (channel
  // slack), in log order, each {"text": its message}.
  const std::vector<std::string> texts = {
      R"("Sandbox credentials" has been todo without an update since 2026-04-01T09:35:00Z (2 business days). Is it waiting on someone?)",
      R"("Contract review" has been in_review without an update since 2026-04-02T10:01:00Z (2 business days). Is it waiting on someone?)",
      R"(Escalation on Partner onboarding: "Contract review" has been in_review without an update since 2026-04-02T10:01:00Z (4 business days); its owner is user:olga.)",
      R"("Sandbox credentials" has been in_progress without an update since 2026-04-08T09:00:00Z (2 business days). Is it waiting on someone?)",
  };
  std::vector<RecordedRequest> requests = slack.Requests();
  ASSERT_EQ(requests.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(requests[i].method, "POST");
    EXPECT_EQ(requests[i].path, "/services/T0001/B0001/pack-test");
    EXPECT_EQ(requests[i].Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(Json::parse(requests[i].body), Json({{"text", texts[i]}})) << requests[i].body;
  }
}


// The headers of a mail up to the blank line, and its body with the
// quoted-printable encoding undone (soft line breaks, =XX).
struct MailParts {
  std::vector<std::string> headers;
  std::string body;
};

MailParts SplitMail(const std::string& data) {
  MailParts parts;
  size_t end = data.find("\r\n\r\n");
  std::string head = data.substr(0, end);
  for (size_t at = 0; at <= head.size();) {
    size_t next = head.find("\r\n", at);
    if (next == std::string::npos) next = head.size();
    parts.headers.push_back(head.substr(at, next - at));
    at = next + 2;
  }
  std::string encoded = end == std::string::npos ? "" : data.substr(end + 4);
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '=') {
      parts.body += encoded[i];
    } else if (encoded.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (i + 2 < encoded.size()) {
      parts.body += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
  }
  return parts;
}

TEST(ExamplePackSinksTest, GuardrailsApprovalRequestsReachTheApproversByEmail) {
  SmtpTestServerOptions options;
  options.security = SmtpSecurity::kStartTls;  // the pack's sink asks for STARTTLS and logs in
  options.username = "keel-mailer";
  options.password = "pack-test-password";
  SmtpTestServer smtp(options);
  ::setenv("SMTP_USER", "keel-mailer", 1);
  ::setenv("SMTP_PASSWORD", "pack-test-password", 1);

  fs::path pack = kExamples / "04-sensitive-data-guardrails";
  TempDir dir;
  fs::path serve_yaml = WritePackServeConfig(pack, dir.path(), [&smtp](YAML::Node sink) {
    sink["smtp"] = smtp.Url();
    sink["ca_file"] = smtp.CertificateFile();
  });
  PackDeliveryRun run = RunPackWithSinks(pack, serve_yaml, 2, [&smtp] { return smtp.Messages().size(); });
  ASSERT_TRUE(run.ok) << run.error;

  // The two approval requests of expected/derived.ndjson, each notified by
  // ask-approvers-by-email: one mail each to priya, whose address the
  // pack's people file gives.
  struct ExpectedMail {
    std::string notification_id;
    std::string date;  // RFC 5322, of the notification's time
    std::string approval;
    std::string text;
  };
  const std::vector<ExpectedMail> expected = {
      {"d-4e5e5e7b1e9084e60e083991934b9fb5", "Mon, 02 Mar 2026 09:30:00 +0000", "approval/a-35f66492b002dec9",
       "Your approval is needed for task/R-2: Health-insurance quote form collects name, email, date_of_birth, "
       "health. Grant or reject approval/a-35f66492b002dec9 in keel."},
      {"d-fc50793df4670c5804041d51e4b096c4", "Mon, 09 Mar 2026 09:00:00 +0000", "approval/a-415743c3d0affaba",
       "Your approval is needed for task/R-3: Payout details for partners collects name, bank_account. Grant or "
       "reject approval/a-415743c3d0affaba in keel."},
  };
  std::vector<ReceivedMail> mails = smtp.Messages();
  ASSERT_EQ(mails.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].approval);
    EXPECT_EQ(mails[i].mail_from, "keel@acme.example");
    EXPECT_EQ(mails[i].rcpt_to, std::vector<std::string>{"priya@acme.example"});
    EXPECT_TRUE(mails[i].over_tls);
    EXPECT_EQ(mails[i].login, "keel-mailer");
    MailParts parts = SplitMail(mails[i].data);
    EXPECT_EQ(parts.headers, (std::vector<std::string>{
                                 "Date: " + expected[i].date,
                                 "From: Keel <keel@acme.example>",
                                 "To: priya@acme.example",
                                 "Subject: Approval needed: " + expected[i].approval,
                                 "Message-ID: <" + expected[i].notification_id + "@keel>",
                                 "MIME-Version: 1.0",
                                 "Content-Type: text/plain; charset=utf-8",
                                 "Content-Transfer-Encoding: quoted-printable",
                             }));
    EXPECT_EQ(parts.body, expected[i].text + "\r\n");
  }
}

}  // namespace
}  // namespace keel::testing
