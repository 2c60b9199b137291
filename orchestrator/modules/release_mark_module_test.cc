// release_mark: a release's status and fields in the journal.
#include "orchestrator/modules/release_mark_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/core/redact.h"
#include "orchestrator/modules/module_test_util.h"
#include "remote/fault/fault_transport.h"

namespace {

using deployctl::ModuleContext;
using deployctl::ModuleResult;
using deployctl::Value;
using deployctl::remote::fault::Fault;
using deployctl::remote::fault::FaultTransport;
using deployctl::testing::ModuleHarness;

const std::string kJournalPath = "/srv/myapp/.deployctl/journal.json";
const std::string kJournal = R"({"app": "myapp", "releases": [
  {"id": "100", "status": "good", "backup": "db_backup_100.dump.zst"},
  {"id": "200", "status": "live"}]})";

ModuleHarness Host() {
  ModuleHarness h;
  h.vars = {{"apps", {{"myapp", {{"root", "/srv/myapp"}, {"source", {{"path", "."}}}}}}}};
  h.host.AddFile(kJournalPath, kJournal);
  return h;
}

ModuleResult Run(ModuleHarness& h, const Value& args, std::vector<Fault> faults = {}) {
  FaultTransport host(h.host, std::move(faults));
  ModuleContext ctx{host, args, h.vars, false, h.project_dir};
  return deployctl::ReleaseMarkModule().Run(ctx);
}

Value Release(ModuleHarness& h, const std::string& id) {
  const Value j = Value::parse(*h.host.ReadFile(kJournalPath));
  for (const auto& r : j["releases"]) {
    if (r["id"] == id) return r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("release_mark sets the status and the reason, and says what it was", "[release_mark]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {{"app", "myapp"},
                         {"release_id", "100"},
                         {"status", "bad"},
                         {"reason", "health check failed"}});
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "marked release 100 of myapp bad (was good)");
  CHECK(r.data == Value{{"release_id", "100"},
                        {"status", "bad"},
                        {"previous_status", "good"},
                        {"found", true}});
  CHECK(Release(h, "100")["status"] == "bad");
  CHECK(Release(h, "100")["reason"] == "health check failed");
  CHECK(Release(h, "100")["backup"] == "db_backup_100.dump.zst");  // untouched
  CHECK(Release(h, "200")["status"] == "live");
  CHECK(h.host.writes().size() == 1);
  CHECK(h.host.writes()[0].mode == 0644);
}

TEST_CASE("release_mark sets and clears the optional fields", "[release_mark]") {
  ModuleHarness h = Host();
  auto r = Run(h, {{"app", "myapp"},
                   {"release_id", "200"},
                   {"schema_revision", "abc123"},
                   {"backup", "db_backup_200.dump.zst"},
                   {"backup_skipped", ""}});
  CHECK(r.changed);
  CHECK(r.msg == "marked release 200 of myapp live");
  CHECK(Release(h, "200")["schema_revision"] == "abc123");
  CHECK(Release(h, "200")["backup"] == "db_backup_200.dump.zst");
  r = Run(h, {{"app", "myapp"}, {"release_id", "200"}, {"backup", ""}});
  CHECK(Release(h, "200")["backup"].is_null());
}

TEST_CASE("release_mark keeps secrets out of the reason it writes", "[release_mark]") {
  deployctl::RegisterSecret("hunter2-release-mark");
  ModuleHarness h = Host();
  Run(h, {{"app", "myapp"},
          {"release_id", "200"},
          {"status", "bad"},
          {"reason", "login failed with hunter2-release-mark"}});
  CHECK(Release(h, "200")["reason"] == "login failed with ********");
}

TEST_CASE("release_mark of a status it already has writes nothing", "[release_mark]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {{"app", "myapp"}, {"release_id", "100"}, {"status", "good"}});
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "release 100 of myapp already is good");
  CHECK(h.host.writes().empty());
}

TEST_CASE("release_mark of a release the journal does not know writes nothing", "[release_mark]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {{"app", "myapp"}, {"release_id", "999"}, {"status", "bad"}});
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "release 999 of myapp is not in the journal on web01: nothing to mark");
  CHECK(r.data["found"] == false);
  CHECK(h.host.writes().empty());
}

TEST_CASE("release_mark refuses bad arguments before reading anything", "[release_mark]") {
  ModuleHarness h = Host();
  CHECK(Run(h, {{"app", "myapp"}, {"release_id", "100"}, {"status", "live"}}).msg ==
        "release_mark: argument 'status' must be one of good, bad, pending, got 'live'");
  CHECK(Run(h, {{"app", "myapp"}, {"release_id", "1 0"}}).msg ==
        "release_mark: argument 'release_id' must be digits (UTC epoch seconds), got '1 0'");
  CHECK(h.host.writes().empty());
}

TEST_CASE("release_mark --check says what it would mark and writes nothing", "[release_mark]") {
  ModuleHarness h = Host();
  const auto r = h.Check(deployctl::ReleaseMarkModule(),
                         {{"app", "myapp"}, {"release_id", "200"}, {"status", "bad"}});
  CHECK(r.changed);
  CHECK(r.msg == "would mark release 200 of myapp bad (was live)");
  REQUIRE(h.plan.size() == 1);
  CHECK_THAT(h.plan[0], Catch::StartsWith("write: " + kJournalPath));
  CHECK(h.host.ReadFile(kJournalPath) == kJournal);
}

TEST_CASE("release_mark whose journal cannot be written or read fails and leaves it as it was",
          "[release_mark]") {
  ModuleHarness h = Host();
  const Value args = {{"app", "myapp"}, {"release_id", "200"}, {"status", "bad"}};
  SECTION("write fails") {
    const auto r = Run(h, args, {Fault::FailWrite(1, "no space left on device")});
    CHECK(r.failed);
    CHECK(r.msg == "web01: cannot write " + kJournalPath + ": no space left on device");
  }
  SECTION("read fails") {
    const auto r = Run(h, args, {Fault::FailRead(1)});
    CHECK(r.msg == "web01: cannot read " + kJournalPath + ": permission denied");
  }
  SECTION("the host is lost") {
    CHECK_THROWS_AS(Run(h, args, {Fault::LoseHostOnWrite(1)}), deployctl::remote::UnreachableError);
  }
  SECTION("the journal is corrupt") {
    h.host.AddFile(kJournalPath, "not json");
    const auto r = Run(h, args);
    CHECK(r.msg == "web01:" + kJournalPath +
                       ": not valid JSON; fix or move the file away (the releases and current are "
                       "untouched)");
    CHECK(h.host.ReadFile(kJournalPath) == "not json");
    return;
  }
  CHECK(h.host.ReadFile(kJournalPath) == kJournal);
}
