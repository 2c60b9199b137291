// release_switch: `current` moved by ln -sfn + mv -T (applied to the fake
// host's tree here), the journal after it, and what a failure at each step
// leaves on the host.
#include "orchestrator/modules/release_switch_module.h"

#include <catch2/catch.hpp>
#include <map>

#include "orchestrator/modules/module_test_util.h"
#include "remote/fault/fault_transport.h"

namespace {

using deployctl::ModuleContext;
using deployctl::ModuleResult;
using deployctl::Value;
using deployctl::remote::Command;
using deployctl::remote::CommandResult;
using deployctl::remote::FakeTransport;
using deployctl::remote::fault::BorrowedTransport;
using deployctl::remote::fault::Fault;
using deployctl::remote::fault::FaultTransport;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

const std::string kJournalPath = "/srv/myapp/.deployctl/journal.json";
const std::string kTemp = "/srv/myapp/.current.0123abcd";
const std::string kLn100 = "ln -sfn -- releases/100 " + kTemp;
const std::string kMv = "mv -T -- " + kTemp + " /srv/myapp/current";

// The fake host with ln -sfn, mv -T and rm -f of links applied to its tree.
class LinkHost : public BorrowedTransport {
 public:
  explicit LinkHost(FakeTransport& fake) : BorrowedTransport(fake), fake_(fake) {}
  CommandResult Run(const Command& c) override {
    const CommandResult result = BorrowedTransport::Run(c);
    if (!result.ok()) return result;
    const Strings& a = c.argv;
    if (a.size() == 5 && a[0] == "ln" && a[1] == "-sfn") {
      fake_.AddLink(a[4], a[3]);
    } else if (a.size() == 5 && a[0] == "mv" && a[1] == "-T" && fake_.Find(a[3])) {
      fake_.AddLink(a[4], fake_.Find(a[3])->link_target);
      fake_.Remove(a[3]);
    } else if (a.size() == 4 && a[0] == "rm" && a[1] == "-f") {
      fake_.Remove(a[3]);
    }
    return result;
  }

 private:
  FakeTransport& fake_;
};

ModuleHarness Host() {
  ModuleHarness h;
  h.vars = {{"apps", {{"myapp", {{"root", "/srv/myapp"}, {"source", {{"path", "."}}}}}}},
            {"deployctl_run", {{"token", "0123abcd"}, {"user", "alice"}}}};
  h.host.AddFile(kJournalPath, R"({"app": "myapp", "releases": [
    {"id": "100", "status": "good", "activated": 1},
    {"id": "200", "status": "live", "activated": 2}]})");
  h.host.AddDir("/srv/myapp/releases/100");
  h.host.AddDir("/srv/myapp/releases/200");
  h.host.AddLink("/srv/myapp/current", "releases/200");
  return h;
}

ModuleResult Run(ModuleHarness& h, const Value& args, std::vector<Fault> faults = {}) {
  LinkHost links(h.host);
  FaultTransport host(links, std::move(faults));
  ModuleContext ctx{host, args, h.vars, false, h.project_dir};
  return deployctl::ReleaseSwitchModule().Run(ctx);
}

std::string Current(ModuleHarness& h) {
  const auto* link = h.host.Find("/srv/myapp/current");
  return link ? link->link_target : "(none)";
}

// "100:good 200:live"
std::string Statuses(ModuleHarness& h) {
  const Value j = Value::parse(*h.host.ReadFile(kJournalPath));
  std::string out;
  for (const auto& r : j["releases"]) {
    out += (out.empty() ? "" : " ") + r["id"].get<std::string>() + ":" +
           r["status"].get<std::string>();
  }
  return out;
}

const Value kTo100 = {{"app", "myapp"}, {"release_id", "100"}};

}  // namespace

TEST_CASE("release_switch moves current atomically and records the switch", "[release_switch]") {
  ModuleHarness h = Host();
  const auto r = Run(h, kTo100);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "switched myapp to release 100 (was 200)");
  CHECK(r.data == Value{{"previous", "200"}, {"current", "100"}});
  CHECK(h.host.log() ==
        Strings{"run: " + kLn100, "run: " + kMv, "write: " + kJournalPath + " 0644"});
  CHECK(Current(h) == "releases/100");
  CHECK(h.host.Find(kTemp) == nullptr);
  CHECK(Statuses(h) == "100:live 200:good");
  const Value j = Value::parse(*h.host.ReadFile(kJournalPath));
  CHECK(j["releases"][0]["activated"].get<long long>() > 1700000000);
}

TEST_CASE("release_switch to: previous goes to the newest good release older than current",
          "[release_switch]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {{"app", "myapp"}, {"to", "previous"}, {"previous_status", "bad"}});
  CHECK(r.msg == "switched myapp to release 100 (was 200)");
  CHECK(Current(h) == "releases/100");
  CHECK(Statuses(h) == "100:live 200:bad");
}

TEST_CASE("release_switch to the current release changes nothing", "[release_switch]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {{"app", "myapp"}, {"release_id", "200"}});
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "current of myapp already is release 200");
  CHECK(h.host.log().empty());
}

TEST_CASE("release_switch adopts a release the journal does not know", "[release_switch]") {
  ModuleHarness h = Host();
  h.host.AddFile("/srv/myapp/releases/150/.deployctl-release.json", R"({"revision": "r150"})");
  const auto r = Run(h, {{"app", "myapp"}, {"release_id", "150"}});
  CHECK(r.changed);
  CHECK(Current(h) == "releases/150");
  CHECK(Statuses(h) == "100:good 150:live 200:good");
  const Value j = Value::parse(*h.host.ReadFile(kJournalPath));
  CHECK(j["releases"][1]["revision"] == "r150");
  CHECK(j["releases"][1]["reason"] == "adopted when current was switched to it");
}

TEST_CASE("release_switch refuses what it cannot switch to, touching nothing", "[release_switch]") {
  ModuleHarness h = Host();
  SECTION("a release that does not exist") {
    const auto r = Run(h, {{"app", "myapp"}, {"release_id", "300"}});
    CHECK(r.msg == "release 300 does not exist on web01 (/srv/myapp/releases/300)");
    CHECK(r.failed);
  }
  SECTION("a release that is a file") {
    h.host.AddFile("/srv/myapp/releases/300", "");
    const auto r = Run(h, {{"app", "myapp"}, {"release_id", "300"}});
    CHECK(r.msg == "/srv/myapp/releases/300 on web01 is not a directory");
  }
  SECTION("no previous release") {
    h.host.AddFile(kJournalPath, R"({"releases": [{"id": "200", "status": "live"}]})");
    const auto r = Run(h, {{"app", "myapp"}, {"to", "previous"}});
    CHECK(r.msg ==
          "no previous release of myapp on web01: the journal has no good release older than "
          "current (200)");
  }
  SECTION("neither or both of release_id and to") {
    CHECK(Run(h, {{"app", "myapp"}}).msg ==
          "release_switch: give either release_id or to: previous");
    CHECK(Run(h, {{"app", "myapp"}, {"release_id", "100"}, {"to", "previous"}}).msg ==
          "release_switch: give either release_id or to: previous");
    CHECK(Run(h, {{"app", "myapp"}, {"to", "next"}}).msg ==
          "release_switch: argument 'to' must be one of previous, got 'next'");
    CHECK(Run(h, {{"app", "myapp"}, {"release_id", "../x"}}).msg ==
          "release_switch: argument 'release_id' must be digits (UTC epoch seconds), got '../x'");
  }
  SECTION("current that is not a link") {
    h.host.AddDir("/srv/myapp/current");
    const auto r = Run(h, kTo100);
    CHECK(r.msg ==
          "/srv/myapp/current on web01 is not a symbolic link; move it away (for example into "
          "releases/) so that deployctl can manage it");
  }
  SECTION("a corrupt journal") {
    h.host.AddFile(kJournalPath, "{");
    const auto r = Run(h, kTo100);
    CHECK(r.msg == "web01:" + kJournalPath +
                       ": not valid JSON; fix or move the file away (the releases and current are "
                       "untouched)");
    CHECK(Current(h) == "releases/200");
  }
  CHECK(h.host.commands().empty());
  CHECK(h.host.writes().empty());
}

TEST_CASE("release_switch --check plans the switch and changes nothing", "[release_switch]") {
  ModuleHarness h = Host();
  SECTION("an existing release") {
    const auto r = h.Check(deployctl::ReleaseSwitchModule(), kTo100);
    CHECK(r.changed);
    CHECK(r.msg == "would switch myapp to release 100 (was 200)");
    REQUIRE(h.plan.size() == 3);
    CHECK(h.plan[0] == "run: " + kLn100);
    CHECK(h.plan[1] == "run: " + kMv);
    CHECK_THAT(h.plan[2], Catch::StartsWith("write: " + kJournalPath));
  }
  SECTION("the release this run would create") {
    const auto r =
        h.Check(deployctl::ReleaseSwitchModule(), {{"app", "myapp"}, {"release_id", "300"}});
    CHECK_FALSE(r.failed);
    CHECK(r.msg == "would switch myapp to release 300");
    CHECK(r.data == Value{{"previous", "200"}, {"current", "300"}});
    CHECK(h.plan.empty());
  }
  CHECK(Current(h) == "releases/200");
  CHECK(Statuses(h) == "100:good 200:live");
  CHECK(h.host.commands().empty());
}

// ------------------------------------------------------------------ faults

TEST_CASE("release_switch whose mv fails removes the temp link and leaves current alone",
          "[release_switch]") {
  ModuleHarness h = Host();
  const auto r =
      Run(h, kTo100, {Fault::FailCommand(1, "mv -T", {1, "", "mv: Read-only file system\n"})});
  CHECK(r.failed);
  CHECK(r.msg ==
        "renaming " + kTemp + " to /srv/myapp/current failed (rc=1): mv: Read-only file system");
  CHECK(Current(h) == "releases/200");
  CHECK(h.host.Find(kTemp) == nullptr);
  CHECK(h.host.commands() == Strings{kLn100, "rm -f -- " + kTemp});
  CHECK(Statuses(h) == "100:good 200:live");
}

TEST_CASE("release_switch whose ln fails changes nothing", "[release_switch]") {
  ModuleHarness h = Host();
  const auto r = Run(h, kTo100, {Fault::FailCommand(1, "ln -sfn", {1, "", "ln: No space left\n"})});
  CHECK(r.msg == "creating the link " + kTemp + " failed (rc=1): ln: No space left");
  CHECK(Current(h) == "releases/200");
  CHECK(h.host.writes().empty());
}

TEST_CASE(
    "release_switch whose journal write fails has still switched, and says which "
    "write failed",
    "[release_switch]") {
  // current is the truth (journal.h): the host runs 100 though the journal still says 200.
  ModuleHarness h = Host();
  const auto r = Run(h, kTo100, {Fault::FailWrite(1)});
  CHECK(r.failed);
  CHECK(r.msg == "web01: cannot write " + kJournalPath + ": permission denied");
  CHECK(Current(h) == "releases/100");
  CHECK(Statuses(h) == "100:good 200:live");
}

TEST_CASE("release_switch on a host lost after the mv reached it", "[release_switch]") {
  ModuleHarness h = Host();
  CHECK_THROWS_WITH(Run(h, kTo100, {Fault::LoseHostOnCommand(1, "mv -T", /*reach_host=*/true)}),
                    "web01: connection lost while running a command: Socket error: disconnected");
  CHECK(Current(h) == "releases/100");
  CHECK(Statuses(h) == "100:good 200:live");
}

TEST_CASE("release_switch on a host lost before the mv leaves the temp link behind",
          "[release_switch]") {
  ModuleHarness h = Host();
  CHECK_THROWS_AS(Run(h, kTo100, {Fault::LoseHostOnCommand(1, "mv -T")}),
                  deployctl::remote::UnreachableError);
  CHECK(Current(h) == "releases/200");
  REQUIRE(h.host.Find(kTemp) != nullptr);  // harmless: the next switch replaces it (ln -sfn)
  CHECK(h.host.Find(kTemp)->link_target == "releases/100");
}
