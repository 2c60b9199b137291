// The release journal: its JSON form, loading and saving it on a host, the
// `current` link, the previous release, and retention (PlanPrune) rule by
// rule as PRODUCT.md "Retention" states them.
#include "orchestrator/app/journal.h"

#include <catch2/catch.hpp>

#include "orchestrator/app/release_listing.h"
#include "orchestrator/app/retention.h"
#include "remote/fake/fake_transport.h"
#include "remote/fault/fault_transport.h"

using deployctl::AppConfig;
using deployctl::BackupFile;
using deployctl::BackupKind;
using deployctl::ClassifyBackup;
using deployctl::Journal;
using deployctl::JournalError;
using deployctl::JournalRelease;
using deployctl::PlanPrune;
using deployctl::PruneLimits;
using deployctl::Value;
using deployctl::remote::FakeTransport;
using Strings = std::vector<std::string>;

namespace {

// A journal of (id, status) pairs; each release's backup is
// db_backup_<id>.dump.zst when `with_backups`.
Journal J(const std::vector<std::pair<std::string, std::string>>& releases,
          bool with_backups = false) {
  Journal j;
  j.app = "myapp";
  for (const auto& [id, status] : releases) {
    JournalRelease r;
    r.id = id;
    r.status = status;
    if (with_backups) r.backup = "db_backup_" + id + ".dump.zst";
    j.Put(r);
  }
  return j;
}

std::vector<BackupFile> Backups(const Strings& names) {
  std::vector<BackupFile> out;
  for (const auto& name : names) {
    auto b = ClassifyBackup(name);
    REQUIRE(b.has_value());
    out.push_back(*b);
  }
  return out;
}

PruneLimits Limits(int keep_releases, int keep_backups = 5) {
  PruneLimits l;
  l.keep_releases = keep_releases;
  l.prune_backups = true;
  l.keep_backups = keep_backups;
  return l;
}

AppConfig App() {
  AppConfig app;
  app.name = "myapp";
  app.root = "/srv/myapp";
  return app;
}

}  // namespace

// ------------------------------------------------------------------ releases

TEST_CASE("keep_releases counts good releases including current, newest first", "[prune]") {
  const Journal j = J({{"1", "good"},
                       {"2", "good"},
                       {"3", "good"},
                       {"4", "good"},
                       {"5", "good"},
                       {"6", "good"},
                       {"7", "live"}});
  const auto plan = PlanPrune(j, "7", {}, Limits(3));
  CHECK(plan.keep_releases == Strings{"7", "6", "5"});
  CHECK(plan.remove_releases == Strings{"1", "2", "3", "4"});
  CHECK(plan.remove_backups.empty());
}

TEST_CASE("release ids order numerically, not as text", "[prune]") {
  const Journal j = J({{"999", "good"}, {"1000", "good"}, {"1001", "live"}});
  CHECK(j.releases.front().id == "999");
  const auto plan = PlanPrune(j, "1001", {}, Limits(2));
  CHECK(plan.keep_releases == Strings{"1001", "1000"});
  CHECK(plan.remove_releases == Strings{"999"});
}

TEST_CASE("bad releases are never counted and always removed; pending ones too", "[prune]") {
  const Journal j = J({{"1", "good"},
                       {"2", "good"},
                       {"3", "bad"},
                       {"4", "good"},
                       {"5", "live"},
                       {"6", "pending"},
                       {"7", "bad"}});
  const auto plan = PlanPrune(j, "5", {}, Limits(3));
  // current 5, previous 4, then 2 is the third good one; 3, 6, 7 never count.
  CHECK(plan.keep_releases == Strings{"5", "4", "2"});
  CHECK(plan.remove_releases == Strings{"1", "3", "6", "7"});
}

TEST_CASE("current and the previous release are kept whatever the limit", "[prune]") {
  const Journal j = J({{"1", "good"}, {"2", "good"}, {"3", "live"}});
  const auto plan = PlanPrune(j, "3", {}, Limits(1));
  CHECK(plan.keep_releases == Strings{"3", "2"});
  CHECK(plan.remove_releases == Strings{"1"});
}

TEST_CASE("current is kept even when the journal calls it bad or does not know it", "[prune]") {
  SECTION("marked bad") {
    const Journal j = J({{"1", "good"}, {"2", "good"}, {"3", "bad"}});
    const auto plan = PlanPrune(j, "3", {}, Limits(2));
    CHECK(plan.keep_releases == Strings{"3", "2"});
    CHECK(plan.remove_releases == Strings{"1"});
  }
  SECTION("not in the journal (made by hand)") {
    const Journal j = J({{"1", "good"}, {"2", "good"}, {"3", "good"}});
    const auto plan = PlanPrune(j, "9", {}, Limits(2));
    CHECK(plan.keep_releases == Strings{"9", "3"});
    CHECK(plan.remove_releases == Strings{"1", "2"});
  }
}

TEST_CASE("after a rollback, the releases newer than current count as they are", "[prune]") {
  // Rolled back from 5 to 2: 5 is bad, 3 and 4 stay good, 1 is previous.
  const Journal j = J({{"1", "good"}, {"2", "live"}, {"3", "good"}, {"4", "good"}, {"5", "bad"}});
  const auto plan = PlanPrune(j, "2", {}, Limits(2));
  CHECK(plan.remove_releases == Strings{"3", "5"});
  CHECK(plan.keep_releases == Strings{"4", "2", "1"});
}

TEST_CASE("a status this version does not know is left alone", "[prune]") {
  const Journal j = J({{"1", "archived"}, {"2", "good"}, {"3", "good"}, {"4", "live"}});
  const auto plan = PlanPrune(j, "4", {}, Limits(2));
  CHECK(plan.keep_releases == Strings{"4", "3", "1"});
  CHECK(plan.remove_releases == Strings{"2"});
}

TEST_CASE("without current, the newest good releases are kept", "[prune]") {
  const Journal j = J({{"1", "good"}, {"2", "good"}, {"3", "good"}, {"4", "pending"}});
  const auto plan = PlanPrune(j, std::nullopt, {}, Limits(2));
  CHECK(plan.keep_releases == Strings{"3", "2"});
  CHECK(plan.remove_releases == Strings{"1", "4"});
}

// ------------------------------------------------------------------- backups

TEST_CASE("keep_backups keeps the newest automatic backups by release id", "[prune]") {
  const Journal j = J({{"1", "good"}, {"2", "good"}, {"3", "good"}, {"4", "live"}}, true);
  const auto backups = Backups({"db_backup_1.dump.zst", "db_backup_2.dump.zst",
                                "db_backup_3.dump.gz", "db_backup_4.dump.zst"});
  const auto plan = PlanPrune(j, "4", backups, Limits(5, 2));
  CHECK(plan.remove_backups == Strings{"db_backup_1.dump.zst", "db_backup_2.dump.zst"});
}

TEST_CASE("keep_days also keeps automatic backups younger than that, whichever keeps more",
          "[prune]") {
  // Releases 1700000000.. one day apart; now is a day after the newest.
  const long long day = 86400, t0 = 1700000000;
  auto id = [&](int n) { return std::to_string(t0 + n * day); };
  const Journal j = J(
      {{id(0), "good"}, {id(1), "good"}, {id(2), "good"}, {id(3), "good"}, {id(4), "live"}}, true);
  Strings names;
  for (int n = 0; n <= 4; ++n) names.push_back("db_backup_" + id(n) + ".dump.zst");
  PruneLimits limits = Limits(5, 1);
  limits.now = t0 + 5 * day;
  limits.keep_days = 3;  // keeps the backups of days 3 and 4 (and 2 is exactly 3 days old: not)
  CHECK(PlanPrune(j, id(4), Backups(names), limits).remove_backups ==
        Strings{names[0], names[1], names[2]});
  limits.keep_days = 0;  // keep_backups alone (and the previous release's backup)
  CHECK(PlanPrune(j, id(4), Backups(names), limits).remove_backups ==
        Strings{names[0], names[1], names[2]});
  limits.keep_days = 30;  // everything is younger
  CHECK(PlanPrune(j, id(4), Backups(names), limits).remove_backups.empty());
}

TEST_CASE("the backups current and previous need are kept beyond keep_backups", "[prune]") {
  // Rolled back to 2 (previous 1) from 5: the newer backups fill the limit,
  // and 1's and 2's are kept anyway.
  const Journal j = J({{"1", "good"}, {"2", "live"}, {"3", "good"}, {"4", "bad"}, {"5", "bad"}});
  const auto backups =
      Backups({"db_backup_1.dump.zst", "db_backup_2.dump.zst", "db_backup_3.dump.zst",
               "db_backup_4.dump.zst", "db_backup_5.dump.zst"});
  const auto plan = PlanPrune(j, "2", backups, Limits(5, 2));
  CHECK(plan.remove_backups == Strings{"db_backup_3.dump.zst"});
}

TEST_CASE("manual and safety backups have their own limits, newest timestamp first", "[prune]") {
  const Journal j = J({{"1", "live"}});
  const auto backups =
      Backups({"db_backup_manual_1700000001.dump.zst", "db_backup_manual_1700000003.dump.zst",
               "db_backup_manual_1700000002.dump.zst", "db_backup_safety_1700000010.dump.gz",
               "db_backup_safety_1700000030.dump.gz", "db_backup_safety_1700000020.sql.gz"});
  PruneLimits limits = Limits(5);
  limits.keep_manual_backups = 2;
  limits.keep_safety_backups = 1;
  const auto plan = PlanPrune(j, "1", backups, limits);
  CHECK(plan.remove_backups == Strings{"db_backup_manual_1700000001.dump.zst",
                                       "db_backup_safety_1700000010.dump.gz",
                                       "db_backup_safety_1700000020.sql.gz"});
}

TEST_CASE("named backups are never pruned", "[prune]") {
  const Journal j = J({{"1", "live"}});
  std::vector<BackupFile> backups =
      Backups({"db_backup_v1.0.dump.zst", "db_backup_v2.0.dump.zst", "db_backup_before-x.sql.gz"});
  PruneLimits limits = Limits(2, 1);
  limits.keep_manual_backups = 1;
  limits.keep_safety_backups = 1;
  CHECK(PlanPrune(j, "1", backups, limits).remove_backups.empty());
}

TEST_CASE("without a database no backup is pruned", "[prune]") {
  const Journal j = J({{"1", "good"}, {"2", "good"}, {"3", "live"}});
  PruneLimits limits = Limits(2, 1);
  limits.prune_backups = false;
  const auto plan =
      PlanPrune(j, "3", Backups({"db_backup_1.dump.zst", "db_backup_manual_1.dump.zst"}), limits);
  CHECK(plan.remove_backups.empty());
  CHECK(plan.remove_releases == Strings{"1"});
}

TEST_CASE("ClassifyBackup reads the name, and the manifest wins over it", "[prune]") {
  auto automatic = ClassifyBackup("db_backup_1748602032.dump.zst");
  REQUIRE(automatic);
  CHECK(automatic->kind == BackupKind::kAutomatic);
  CHECK(automatic->key == "1748602032");
  auto manual = ClassifyBackup("db_backup_manual_1748599000.dump.gz");
  REQUIRE(manual);
  CHECK(manual->kind == BackupKind::kManual);
  CHECK(manual->key == "1748599000");
  auto named = ClassifyBackup("db_backup_v2.0.0.dump.zst");
  REQUIRE(named);
  CHECK(named->kind == BackupKind::kNamed);

  // A named backup whose name reads like a release id.
  auto digits =
      ClassifyBackup("db_backup_20240101.dump.zst", Value{{"kind", "named"}, {"name", "20240101"}});
  REQUIRE(digits);
  CHECK(digits->kind == BackupKind::kNamed);

  for (const char* other : {"db_backup_1.dump.zst.manifest.json", "db_backup_1.dump.zst.partial",
                            "notes.txt", "pg_dump.sql"}) {
    INFO(other);
    CHECK_FALSE(ClassifyBackup(other).has_value());
  }
}

TEST_CASE(
    "a named backup that reads like a release id is not pruned when its manifest says "
    "named",
    "[prune]") {
  const Journal j = J({{"1", "good"}, {"2", "good"}, {"3", "live"}});
  std::vector<BackupFile> backups = Backups({"db_backup_1.dump.zst", "db_backup_2.dump.zst"});
  backups.push_back(
      *ClassifyBackup("db_backup_3000.dump.zst", Value{{"kind", "named"}, {"name", "3000"}}));
  const auto plan = PlanPrune(j, "3", backups, Limits(5, 1));
  CHECK(plan.remove_backups == Strings{"db_backup_1.dump.zst"});
}

// ------------------------------------------------------- JSON form, load, save

TEST_CASE("the journal's JSON form round-trips, keeping keys this version does not know",
          "[journal]") {
  const Value json = Value::parse(R"({"app": "myapp", "releases": [
    {"id": "200", "revision": "abc", "user": "alice", "created": 1700000200, "status": "live",
     "backup": "db_backup_200.dump.zst", "backup_skipped": null, "schema_revision": "r2",
     "activated": 1700000300, "future_key": {"x": 1}},
    {"id": "100", "status": "good", "created": "1700000100", "reason": "fine"}
  ]})");
  const Journal j = deployctl::JournalFromJson(json, "web1:/j.json");
  REQUIRE(j.releases.size() == 2);
  CHECK(j.releases[0].id == "100");  // id order, whatever the file's order
  CHECK(j.releases[0].created == 1700000100);
  CHECK(j.releases[0].status == "good");
  CHECK(j.releases[0].reason == "fine");
  CHECK(j.releases[1].backup == "db_backup_200.dump.zst");
  CHECK_FALSE(j.releases[1].backup_skipped.has_value());
  CHECK(j.releases[1].activated == 1700000300);
  const Value back = deployctl::JournalToJson(j);
  CHECK(back["releases"][1]["future_key"] == Value{{"x", 1}});
  CHECK(back["releases"][0]["backup"].is_null());
  CHECK(back["releases"][0]["reason"] == "fine");
  CHECK_FALSE(back["releases"][1].contains("reason"));
  CHECK(deployctl::JournalToJson(deployctl::JournalFromJson(back, "x")) == back);
}

TEST_CASE("a release without a status is pending", "[journal]") {
  const Journal j = deployctl::JournalFromJson(Value::parse(R"({"releases": [{"id": "1"}]})"), "x");
  CHECK(j.releases[0].status == "pending");
  CHECK(j.app.empty());
}

TEST_CASE("JSON that is not a journal is refused naming the file", "[journal]") {
  CHECK_THROWS_MATCHES(
      deployctl::JournalFromJson(Value::parse("[]"), "web1:/srv/j.json"), JournalError,
      Catch::Message(
          "web1:/srv/j.json: not a release journal (expected {\"app\", \"releases\": [...]})"));
  CHECK_THROWS_MATCHES(
      deployctl::JournalFromJson(Value::parse(R"({"releases": [{"id": "../x"}]})"), "f"),
      JournalError, Catch::Message("f: a release entry without a valid id: {\"id\":\"../x\"}"));
  CHECK_THROWS_AS(deployctl::JournalFromJson(Value::parse(R"({"releases": [7]})"), "f"),
                  JournalError);
}

TEST_CASE("LoadJournal: a missing file is an empty journal of the app", "[journal]") {
  FakeTransport host("web1");
  const Journal j = deployctl::LoadJournal(host, App());
  CHECK(j.app == "myapp");
  CHECK(j.releases.empty());
}

TEST_CASE(
    "LoadJournal: a corrupt journal is a task error that names host and path, and "
    "nothing is written",
    "[journal]") {
  FakeTransport host("web1");
  host.AddFile("/srv/myapp/.deployctl/journal.json", "{\"releases\": [");
  CHECK_THROWS_MATCHES(deployctl::LoadJournal(host, App()), JournalError,
                       Catch::Message("web1:/srv/myapp/.deployctl/journal.json: not valid JSON; "
                                      "fix or move the file away (the releases and current are "
                                      "untouched)"));
  CHECK(host.writes().empty());
}

TEST_CASE("SaveJournal then LoadJournal gives the same journal; the file is 0644 JSON",
          "[journal]") {
  FakeTransport host("web1");
  host.AddDir("/srv/myapp/.deployctl");
  Journal j = J({{"1", "good"}, {"2", "live"}}, true);
  j.app = "";  // filled in from the app
  deployctl::SaveJournal(host, App(), j);
  REQUIRE(host.writes().size() == 1);
  CHECK(host.writes()[0].path == "/srv/myapp/.deployctl/journal.json");
  CHECK(host.writes()[0].mode == 0644);
  CHECK(host.writes()[0].content.ends_with("}\n"));
  const Journal loaded = deployctl::LoadJournal(host, App());
  CHECK(loaded.app == "myapp");
  j.app = "myapp";
  CHECK(deployctl::JournalToJson(loaded) == deployctl::JournalToJson(j));
}

TEST_CASE("SaveJournal passes a failed write on as the transport's error", "[journal]") {
  FakeTransport fake("web1");
  fake.AddDir("/srv/myapp/.deployctl");
  deployctl::remote::fault::FaultTransport host(fake,
                                                {deployctl::remote::fault::Fault::FailWrite(1)});
  CHECK_THROWS_MATCHES(
      deployctl::SaveJournal(host, App(), J({{"1", "live"}})), deployctl::remote::RemoteFileError,
      Catch::Message("web1: cannot write /srv/myapp/.deployctl/journal.json: permission denied"));
  CHECK(fake.Find("/srv/myapp/.deployctl/journal.json") == nullptr);
}

// ------------------------------------------------------------ current, previous

TEST_CASE("ReadCurrentRelease reads the link's target, relative or absolute", "[journal]") {
  FakeTransport host("web1");
  CHECK_FALSE(deployctl::ReadCurrentRelease(host, App()).has_value());
  for (const char* target :
       {"releases/100", "./releases/100", "releases/100/", "/srv/myapp/releases/100"}) {
    INFO(target);
    host.AddLink("/srv/myapp/current", target);
    CHECK(deployctl::ReadCurrentRelease(host, App()) == "100");
  }
}

TEST_CASE("ReadCurrentRelease refuses a current that is no link to releases/<id>", "[journal]") {
  FakeTransport host("web1");
  host.AddDir("/srv/myapp/current");
  CHECK_THROWS_MATCHES(deployctl::ReadCurrentRelease(host, App()), JournalError,
                       Catch::Message("/srv/myapp/current on web1 is not a symbolic link; move "
                                      "it away (for example into releases/) so that deployctl "
                                      "can manage it"));
  host.AddLink("/srv/myapp/current", "/opt/other/releases/100");
  CHECK_THROWS_MATCHES(deployctl::ReadCurrentRelease(host, App()), JournalError,
                       Catch::Message("/srv/myapp/current on web1 points to "
                                      "'/opt/other/releases/100', not to releases/<id>"));
  host.AddLink("/srv/myapp/current", "releases/latest");
  CHECK_THROWS_AS(deployctl::ReadCurrentRelease(host, App()), JournalError);
}

TEST_CASE("the previous release is the newest good release older than current", "[journal]") {
  const Journal j = J(
      {{"1", "good"}, {"2", "bad"}, {"3", "good"}, {"4", "pending"}, {"5", "live"}, {"6", "good"}});
  CHECK(deployctl::PreviousRelease(j, "5") == "3");
  CHECK(deployctl::PreviousRelease(j, "3") == "1");
  CHECK_FALSE(deployctl::PreviousRelease(j, "1").has_value());
  CHECK(deployctl::PreviousRelease(j, std::nullopt) == "6");
}

TEST_CASE("ListReleases: the journal's releases and unknown directories, newest first",
          "[journal]") {
  FakeTransport host("web1");
  host.AddFile("/srv/myapp/.deployctl/journal.json",
               R"({"app": "myapp", "releases": [{"id": "100", "status": "good"},
                  {"id": "200", "status": "live", "backup": "db_backup_200.dump.zst"}]})");
  host.AddDir("/srv/myapp/releases");
  host.AddLink("/srv/myapp/current", "releases/200");
  host.OnCommand("ls -1A -- /srv/myapp/releases", {0, "100\n200\n300\n.tmp\n", ""});
  const auto list = deployctl::ListReleases(host, App());
  REQUIRE(list.size() == 3);
  CHECK(list[0].id == "300");
  CHECK(list[0].status == "unknown");
  CHECK(list[0].on_disk);
  CHECK(list[1].id == "200");
  CHECK(list[1].current);
  CHECK(list[1].backup == "db_backup_200.dump.zst");
  CHECK(list[2].id == "100");
  CHECK(list[2].previous);
  CHECK(host.runs()[0].read_only);
}
