// keel verify on rule sets: content-addressed sources, sources stored for
// every activation, meta `ruleset` naming the last activation.
#include <gtest/gtest.h>

#include "engine/log_format.h"
#include "engine/schema/schema_registry.h"
#include "engine/sha256.h"
#include "engine/audit/verify.h"
#include "tests/support/events.h"
#include "tests/support/raw_db.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

// Known SHA-256 values (FIPS 180-2 test vectors), so the test does not trust
// the code under test to compute them.
constexpr char kSourcesA[] = "abc";
constexpr char kHashA[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kSourcesB[] = "";
constexpr char kHashB[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Joined(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) text += p + "\n";
  return text;
}

class VerifyRuleSetsTest : public ::testing::Test {
 protected:
  // seq 1: an input event, seq 2: set A activated, seq 3: an input event, seq 4: set B activated.
  void SetUp() override {
    auto log = Open();
    Append(*log, "e1", "task.created");
    Activate(*log, kHashA, kSourcesA);
    Append(*log, "e2", "task.status_changed");
    Activate(*log, kHashB, kSourcesB);
  }

  std::unique_ptr<EventLog> Open() {
    LogOptions options;
    options.create_if_missing = true;
    return std::move(EventLog::Open(db_path(), options)).value();
  }

  static void Append(EventLog& log, const std::string& id, const std::string& type) {
    std::vector<AppendRequest> group;
    group.push_back({MakeEvent({.id = id, .type = type, .data = {{"title", "Brief"}, {"to", "doing"}}}), {}});
    auto appended = log.Append(std::move(group));
    ASSERT_TRUE(appended.ok() && (*appended)[0].outcome == AppendOutcome::kAppended);
  }

  static void Activate(EventLog& log, const std::string& hash, const std::string& sources) {
    auto seq = log.ActivateRuleSet({.hash = hash, .sources = sources, .rule_ids = {"r1"}, .files = {},
                                    .time = "2026-03-02T09:00:00Z", .limits = std::nullopt});
    ASSERT_TRUE(seq.ok() && *seq > 0) << seq.status().ToString();
  }

  VerifyReport Verify() {
    auto log = Open();
    auto report = VerifyLog(*log);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  // Verify finds exactly one problem, and it contains every one of `needles`.
  void ExpectOneProblemNaming(const std::vector<std::string>& needles) {
    VerifyReport report = Verify();
    ASSERT_EQ(report.problems.size(), 1u) << Joined(report.problems);
    for (const auto& needle : needles) {
      EXPECT_NE(report.problems[0].find(needle), std::string::npos) << needle << " in " << report.problems[0];
    }
    EXPECT_FALSE(report.first_bad_seq);  // the events themselves are intact
  }

  std::filesystem::path db_path() const { return dir_ / "db"; }

  testing::TempDir dir_;
};

TEST(Sha256Test, IsPlainSha256NotAChainLink) {
  EXPECT_EQ(HashToHex(Sha256(kSourcesA)), kHashA);
  EXPECT_EQ(HashToHex(Sha256(kSourcesB)), kHashB);
  EXPECT_NE(ChainHash(Hash{}, kSourcesA), Sha256(kSourcesA));  // ChainHash hashes 32 zero bytes first
}

TEST_F(VerifyRuleSetsTest, ALogWithTwoRuleSetsVerifies) {
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << Joined(report.problems);
  EXPECT_EQ(report.events, 4u);
}

TEST_F(VerifyRuleSetsTest, ChangedStoredSourcesAreNamedByTheirKey) {
  { testing::RawDb(db_path()).Put("rulesets", kHashA, "abd"); }
  ExpectOneProblemNaming({"rulesets", kHashA, HashToHex(Sha256("abd"))});
}

TEST_F(VerifyRuleSetsTest, SourcesUnderAKeyThatIsNotTheirHashAreNamed) {
  std::string wrong_key(64, '0');
  { testing::RawDb(db_path()).Put("rulesets", wrong_key, kSourcesA); }
  ExpectOneProblemNaming({"rulesets", wrong_key});
}

TEST_F(VerifyRuleSetsTest, AnActivationWhoseSourcesAreMissingIsNamedBySeq) {
  { testing::RawDb(db_path()).Delete("rulesets", kHashB); }
  ExpectOneProblemNaming({"seq 4", "ruleset.activated", kHashB});
}

TEST_F(VerifyRuleSetsTest, AnActiveRuleSetKeyThatIsNotTheLastActivationIsNamed) {
  { testing::RawDb(db_path()).Put("meta", std::string(log_format::kMetaRuleSet), kHashA); }
  ExpectOneProblemNaming({"meta", "'ruleset'", kHashA, "seq 4", kHashB});
}

// keel ingest continues under meta's limits, a replay under the event's.
TEST_F(VerifyRuleSetsTest, ActiveLimitsThatAreNotTheLastActivationsAreNamed) {
  { testing::RawDb(db_path()).Put("meta", "ruleset_limits", R"({"max_depth":3,"max_derived":10000})"); }
  ExpectOneProblemNaming({"meta", "'ruleset_limits'", R"({"max_depth":3,"max_derived":10000})", "seq 4",
                          R"({"max_depth":10,"max_derived":10000})"});
}

// Logs written before limits were recorded have no such key: the defaults.
TEST_F(VerifyRuleSetsTest, AMissingLimitsKeyMeansTheDefaults) {
  { testing::RawDb(db_path()).Delete("meta", "ruleset_limits"); }
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << Joined(report.problems);
  auto log = Open();
  auto limits = log->ActiveRuleSetLimits();
  ASSERT_TRUE(limits.ok()) << limits.status().ToString();
  EXPECT_EQ(limits->max_depth, 10);
  EXPECT_EQ(limits->max_derived, 10000u);
}

TEST_F(VerifyRuleSetsTest, AnActivationUnderOtherLimitsRecordsThemInTheEventAndMeta) {
  auto log = Open();
  auto seq = log->ActivateRuleSet({.hash = kHashA, .sources = kSourcesA, .rule_ids = {"r1"}, .files = {},
                                   .time = "2026-03-02T10:00:00Z", .limits = CascadeLimits{4, 20}});
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  ASSERT_EQ(*seq, 5u);
  auto stored = log->Read(5);
  ASSERT_TRUE(stored.ok());
  EXPECT_NE(stored->event.data().find(R"("limits":{"max_depth":4,"max_derived":20})"), std::string::npos)
      << stored->event.data();
  auto limits = log->ActiveRuleSetLimits();
  ASSERT_TRUE(limits.ok());
  EXPECT_EQ(*limits, (CascadeLimits{4, 20}));
  auto again = log->ActivateRuleSet({.hash = kHashA, .sources = kSourcesA, .rule_ids = {"r1"}, .files = {},
                                     .time = "2026-03-02T11:00:00Z", .limits = CascadeLimits{4, 20}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u) << "already active under these limits";
  log.reset();
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << Joined(report.problems);
}

TEST_F(VerifyRuleSetsTest, AMissingActiveRuleSetKeyIsNamed) {
  { testing::RawDb(db_path()).Delete("meta", std::string(log_format::kMetaRuleSet)); }
  ExpectOneProblemNaming({"meta", "'ruleset'", "absent", "seq 4", kHashB});
}

TEST_F(VerifyRuleSetsTest, TheChecksCanBeTurnedOff) {
  { testing::RawDb(db_path()).Put("rulesets", kHashA, "abd"); }
  auto log = Open();
  VerifyOptions options;
  options.check_rulesets = false;
  auto report = VerifyLog(*log, options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << Joined(report->problems);
}

// Derives a comment from every input event, stamped with the hash it is given.
class CommentingReactor : public Reactor {
 public:
  explicit CommentingReactor(std::string hash) : hash_(std::move(hash)) {}
  const std::string& ruleset_hash() const override { return hash_; }
  Status React(const ReactionInput& input, StateReader&, Reaction* reaction) override {
    if (input.depth == 0) {
      reaction->events.push_back(
          {"r1", "then[0].add_comment", "comment.added", input.event.subject, R"({"text":"seen"})", ""});
    }
    return Status::OK();
  }

 private:
  std::string hash_;
};

TEST_F(VerifyRuleSetsTest, DerivedEventsOfTheActiveSetVerifyAndOnesNamingAnotherSetAreNamed) {
  auto schemas = SchemaRegistry::LoadEmbedded();
  ASSERT_TRUE(schemas.ok());
  {
    auto log = Open();
    log->SetReactor(std::make_shared<CommentingReactor>(kHashB), schemas->get());
    Append(*log, "e3", "task.status_changed");  // seq 5, its comment seq 6: set B is active
  }
  EXPECT_TRUE(Verify().ok()) << Joined(Verify().problems);
  {
    auto log = Open();
    log->SetReactor(std::make_shared<CommentingReactor>(kHashA), schemas->get());
    Append(*log, "e4", "task.status_changed");  // seq 7, its comment seq 8 names set A
  }
  ExpectOneProblemNaming({"seq 8", "comment.added", "rule r1", kHashA, "(seq 4) is " + std::string(kHashB)});
}

TEST(VerifyRuleSetsWithoutActivationTest, AnActiveRuleSetKeyWithoutAnyActivationIsNamed) {
  testing::TempDir dir;
  {
    LogOptions options;
    options.create_if_missing = true;
    auto log = std::move(EventLog::Open(dir / "db", options)).value();
    std::vector<AppendRequest> group;
    group.push_back({MakeEvent({.id = "e1", .type = "task.created", .data = {{"title", "Brief"}}}), {}});
    ASSERT_TRUE(log->Append(std::move(group)).ok());
    auto report = VerifyLog(*log);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << Joined(report->problems);  // no set, no key: fine
  }
  { testing::RawDb(dir / "db").Put("meta", std::string(log_format::kMetaRuleSet), kHashA); }
  LogOptions options;
  auto log = std::move(EventLog::Open(dir / "db", options)).value();
  auto report = VerifyLog(*log);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u) << Joined(report->problems);
  EXPECT_NE(report->problems[0].find("no ruleset.activated"), std::string::npos) << report->problems[0];
}

}  // namespace
}  // namespace keel
