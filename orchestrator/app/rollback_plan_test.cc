#include "orchestrator/app/rollback_plan.h"

#include <catch2/catch.hpp>

using deployctl::BackupKind;
using deployctl::BackupListing;
using deployctl::BackupManifest;
using deployctl::Journal;
using deployctl::JournalRelease;
using deployctl::PlanRollback;
using deployctl::RollbackPlan;
using deployctl::RollbackRefused;
using deployctl::RollbackRequest;
using Strings = std::vector<std::string>;

namespace {

JournalRelease Release(const std::string& id, const std::string& status,
                       std::optional<std::string> schema = std::nullopt,
                       std::optional<std::string> backup = std::nullopt) {
  JournalRelease r;
  r.id = id;
  r.status = status;
  r.schema_revision = std::move(schema);
  r.backup = std::move(backup);
  return r;
}

// v1 (100) good, v2 (200) good, v3 (300) live: each deploy recorded its
// schema revision; v2 and v3 had a pre-deploy backup.
Journal ThreeReleases() {
  Journal j;
  j.app = "myapp";
  j.Put(Release("100", "good", "rev-a"));
  j.Put(Release("200", "good", "rev-b", "db_backup_200.dump.zst"));
  j.Put(Release("300", "live", "rev-c", "db_backup_300.dump.zst"));
  return j;
}

// An automatic backup taken before `release` went live while `live` was.
BackupListing Automatic(const std::string& release, std::optional<std::string> live,
                        std::optional<std::string> schema, long long created = 0) {
  BackupListing b;
  b.file = "db_backup_" + release + ".dump.zst";
  b.kind = BackupKind::kAutomatic;
  b.id = release;
  b.manifest_state = "ok";
  BackupManifest m;
  m.file = b.file;
  m.kind = "automatic";
  m.release = release;
  m.live_release = std::move(live);
  m.schema_revision = std::move(schema);
  m.created = created;
  b.manifest = m;
  return b;
}

const std::vector<BackupListing> kBackups = {Automatic("200", "100", "rev-a", 1000),
                                             Automatic("300", "200", "rev-b", 2000)};

RollbackPlan Plan(const Journal& j, std::optional<std::string> current, const std::string& to,
                  const std::vector<BackupListing>& backups = kBackups) {
  return PlanRollback(RollbackRequest{"myapp", "web1", to}, j, current, backups);
}

std::string Refusal(const Journal& j, std::optional<std::string> current, const std::string& to) {
  try {
    Plan(j, current, to);
  } catch (const RollbackRefused& e) {
    CHECK(e.code() == deployctl::ExitCode::kRefused);
    return e.what();
  }
  FAIL("no refusal");
  return "";
}

}  // namespace

TEST_CASE("rollback goes to the previous good release, with its schema and backup", "[rollback]") {
  const RollbackPlan plan = Plan(ThreeReleases(), "300", "");
  CHECK(plan.current == "300");
  CHECK(plan.target == "200");
  CHECK_FALSE(plan.forward);
  CHECK(plan.target_schema_revision == "rev-b");
  CHECK(plan.schema_revision_source == "journal");
  CHECK(plan.undone == Strings{"300"});
  CHECK(plan.backup == "db_backup_300.dump.zst");
  CHECK(plan.backup_release == "300");
  CHECK(plan.backup_created == 2000);
  CHECK(plan.backup_problem.empty());
}

TEST_CASE("rollback skips bad releases when choosing the previous one", "[rollback]") {
  Journal j = ThreeReleases();
  j.Find("200")->status = "bad";
  const RollbackPlan plan = Plan(j, "300", "");
  CHECK(plan.target == "100");
  CHECK(plan.undone == Strings{"300"});
  // Taken while 100 was live, before 200 went live.
  CHECK(plan.backup == "db_backup_200.dump.zst");
}

TEST_CASE(
    "rollback --to several releases back restores the backup taken before the release "
    "after the target",
    "[rollback]") {
  const RollbackPlan plan = Plan(ThreeReleases(), "300", "100");
  CHECK(plan.target == "100");
  CHECK(plan.target_schema_revision == "rev-a");
  CHECK(plan.undone == Strings{"200", "300"});
  CHECK(plan.backup == "db_backup_200.dump.zst");
}

TEST_CASE("the matching backup is the newest taken while the target was live", "[rollback]") {
  Journal j = ThreeReleases();
  j.Find("200")->status = "bad";  // 200 failed and was put back; 300 went live on top of 100
  const RollbackPlan plan =
      Plan(j, "300", "", {Automatic("200", "100", "rev-a"), Automatic("300", "100", "rev-x")});
  CHECK(plan.backup == "db_backup_300.dump.zst");
}

TEST_CASE(
    "without live_release in the manifests the journal's backup of the next release is "
    "used",
    "[rollback]") {
  const RollbackPlan plan =
      Plan(ThreeReleases(), "300", "100",
           {Automatic("200", std::nullopt, "rev-a"), Automatic("300", std::nullopt, "rev-b")});
  CHECK(plan.backup == "db_backup_200.dump.zst");
}

TEST_CASE("no matching backup is reported, not refused (a code-only rollback needs none)",
          "[rollback]") {
  const RollbackPlan plan = Plan(ThreeReleases(), "300", "", {});
  CHECK(plan.target == "200");
  CHECK_FALSE(plan.backup);
  CHECK(plan.backup_problem ==
        "no automatic backup with a complete manifest was taken while release 200 was live "
        "(before release 300 went live)");

  std::vector<BackupListing> incomplete = {Automatic("300", "200", "rev-b")};
  incomplete[0].manifest_state = "missing";
  CHECK_FALSE(Plan(ThreeReleases(), "300", "", incomplete).backup);
}

TEST_CASE("a release without a recorded schema revision takes the one of its matching backup",
          "[rollback]") {
  Journal j = ThreeReleases();
  j.Find("200")->schema_revision.reset();
  RollbackPlan plan = Plan(j, "300", "");
  CHECK(plan.target_schema_revision == "rev-b");
  CHECK(plan.schema_revision_source == "backup db_backup_300.dump.zst");

  plan = Plan(j, "300", "", {});
  CHECK_FALSE(plan.target_schema_revision);
  CHECK(plan.schema_revision_source.empty());
}

TEST_CASE("rollback refuses targets that do not exist, are bad, pending or current", "[rollback]") {
  Journal j = ThreeReleases();
  j.Put(Release("150", "bad"));
  j.Find("150")->reason = "health check failed";
  j.Put(Release("250", "pending"));

  CHECK(Refusal(j, "300", "999") ==
        "release 999 of app 'myapp' does not exist on web1; releases you can go back to: 200, 100");
  CHECK(Refusal(j, "300", "150") ==
        "release 150 of app 'myapp' on web1 is marked bad (health check failed): a bad release "
        "is never a rollback target; releases you can go back to: 200, 100");
  CHECK(Refusal(j, "300", "250") ==
        "release 250 of app 'myapp' on web1 is pending (it never went live and was superseded): "
        "not a rollback target; releases you can go back to: 200, 100");
  CHECK(Refusal(j, "300", "300") ==
        "release 300 of app 'myapp' already is current on web1: nothing to roll back; releases "
        "you can go back to: 200, 100");
  CHECK(Refusal(j, "300", "../100") ==
        "--to '../100': a release id is digits (UTC epoch seconds), as 'deployctl releases' "
        "shows them");
}

TEST_CASE("rollback refuses when there is nothing to go back to", "[rollback]") {
  Journal j;
  j.Put(Release("100", "live"));
  CHECK(Refusal(j, "100", "") ==
        "app 'myapp' has no release to go back to on web1: no good release is older than "
        "current (100)");
  CHECK(Refusal(j, std::nullopt, "") ==
        "app 'myapp' has nothing deployed on web1 (no current release): nothing to roll back");

  j.Put(Release("50", "bad"));
  CHECK(Refusal(j, "100", "50").find("is marked bad") != std::string::npos);
  CHECK(Refusal(j, "100", "50").find("there is no good release to go back to") !=
        std::string::npos);
}

TEST_CASE("rollback --to a newer good release goes forward, with no backup", "[rollback]") {
  Journal j = ThreeReleases();
  j.Find("300")->status = "good";
  j.Find("100")->status = "live";
  const RollbackPlan plan = Plan(j, "100", "300");
  CHECK(plan.forward);
  CHECK(plan.target == "300");
  CHECK(plan.undone == Strings{"100"});
  CHECK_FALSE(plan.backup);
}

TEST_CASE("the plan's JSON has every key", "[rollback]") {
  const deployctl::Value json = deployctl::RollbackPlanToJson(Plan(ThreeReleases(), "300", ""));
  CHECK(json == deployctl::Value{{"current", "300"},
                                 {"target", "200"},
                                 {"forward", false},
                                 {"target_schema_revision", "rev-b"},
                                 {"schema_revision_source", "journal"},
                                 {"undone", {"300"}},
                                 {"backup", "db_backup_300.dump.zst"},
                                 {"backup_release", "300"},
                                 {"backup_created", 2000},
                                 {"backup_schema_revision", "rev-b"},
                                 {"backup_problem", nullptr}});
}
