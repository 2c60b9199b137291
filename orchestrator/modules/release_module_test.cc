// release: a new releases/<id> from a local directory, journaled as
// pending at once; shared links, templates, metadata; and what each failure
// leaves on the host.
#include "orchestrator/modules/release_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/core/redact.h"
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
using deployctl::testing::TempDir;
using Strings = std::vector<std::string>;

const std::string kJournalPath = "/srv/myapp/.deployctl/journal.json";
const std::string kRelease = "/srv/myapp/releases/300";
const std::string kUpload = "/srv/myapp/.deployctl/upload-300.tar";

// The fake host with `mkdir` (argv) applied to its tree.
class MkdirHost : public BorrowedTransport {
 public:
  explicit MkdirHost(FakeTransport& fake) : BorrowedTransport(fake), fake_(fake) {}
  CommandResult Run(const Command& c) override {
    const CommandResult result = BorrowedTransport::Run(c);
    if (result.ok() && !c.argv.empty() && c.argv[0] == "mkdir") {
      for (const auto& word : c.argv) {
        if (word.starts_with('/')) fake_.AddDir(word);
      }
    }
    return result;
  }

 private:
  FakeTransport& fake_;
};

struct Setup {
  TempDir local;
  ModuleHarness h;
  Value app;

  Setup() {
    local.Write("build/index.html", "<h1>v3</h1>\n");
    local.Write("templates/env.j2",
                "APP={{ app }} ID={{ release_id }} HOST={{ inventory_hostname }}\n");
    app = {{"root", "/srv/myapp"},
           {"source", {{"type", "dir"}, {"path", "build"}}},
           {"shared", {".env", "storage/"}},
           {"templates", {{{"src", "env.j2"}, {"dest", "config/app.env"}}}}};
    h.project_dir = local.path();
    h.host.AddFile("/srv/myapp/shared/.env", "SECRET=1\n");
    h.host.AddFile(kJournalPath,
                   R"({"app": "myapp", "releases": [{"id": "200", "status": "live"}]})");
    h.host.AddLink("/srv/myapp/current", "releases/200");
    Vars();
  }
  void Vars() {
    h.vars = {{"apps", {{"myapp", app}}},
              {"inventory_hostname", "web01"},
              {"deployctl_run", {{"token", "0123abcd"}, {"user", "alice"}}}};
  }

  ModuleResult Run(const Value& args, std::vector<Fault> faults = {}) {
    MkdirHost mkdirs(h.host);
    FaultTransport host(mkdirs, std::move(faults));
    ModuleContext ctx{host, args, h.vars, false, h.project_dir};
    return deployctl::ReleaseModule().Run(ctx);
  }

  Value Journal300() {
    const Value j = Value::parse(*h.host.ReadFile(kJournalPath));
    for (const auto& r : j["releases"]) {
      if (r["id"] == "300") return r;
    }
    return nullptr;
  }
};

const Value kArgs = {{"app", "myapp"},
                     {"release_id", "300"},
                     {"backup", "db_backup_300.dump.zst"},
                     {"backup_skipped", ""},
                     {"schema_revision", "abc"}};

}  // namespace

TEST_CASE(
    "release creates releases/<id>, journals it pending first, then code, links, "
    "templates, metadata",
    "[release]") {
  Setup s;
  const auto r = s.Run(kArgs);
  INFO(r.msg);
  REQUIRE_FALSE(r.failed);
  CHECK(r.changed);
  const std::string revision = r.data["revision"].get<std::string>();
  CHECK_THAT(revision, Catch::Matches("[0-9a-f]{12}"));
  CHECK(r.msg == "created release 300 of myapp (dir " + revision + ")");
  CHECK(r.data["path"] == kRelease);

  const Strings& log = s.h.host.log();
  REQUIRE(log.size() == 11);
  CHECK(log[0] == "run: mkdir -p -- /srv/myapp/releases /srv/myapp/.deployctl");
  CHECK(log[1] == "run: mkdir -- " + kRelease);
  CHECK(log[2] == "write: " + kJournalPath + " 0644");
  CHECK_THAT(log[3], Catch::StartsWith("upload: ") && Catch::EndsWith(" -> " + kUpload + " 0600"));
  CHECK(log[4] == "run: tar --no-same-owner -xf " + kUpload + " -C " + kRelease);
  CHECK(log[5] == "run: rm -f -- " + kUpload);
  CHECK_THAT(log[6], Catch::StartsWith("run: sh -c "));
  CHECK_THAT(log[7], Catch::StartsWith("run: sh -c "));
  CHECK(log[8] == "run: mkdir -p -- " + kRelease + "/config");
  CHECK(log[9] == "write: " + kRelease + "/config/app.env 0644");
  CHECK(log[10] == "write: " + kRelease + "/.deployctl-release.json 0644");

  CHECK(*s.h.host.runs()[4].shell == "rm -rf -- " + kRelease + "/.env && mkdir -p -- " + kRelease +
                                         " && ln -s -- /srv/myapp/shared/.env " + kRelease +
                                         "/.env");
  CHECK(*s.h.host.runs()[5].shell == "mkdir -p -- /srv/myapp/shared/storage && rm -rf -- " +
                                         kRelease + "/storage && mkdir -p -- " + kRelease +
                                         " && ln -s -- /srv/myapp/shared/storage " + kRelease +
                                         "/storage");
  CHECK(s.h.host.Find(kUpload)->content.find("./index.html") != std::string::npos);
  CHECK(s.h.host.Find(kRelease + "/config/app.env")->content == "APP=myapp ID=300 HOST=web01\n");

  const Value meta = Value::parse(s.h.host.Find(kRelease + "/.deployctl-release.json")->content);
  CHECK(meta["id"] == "300");
  CHECK(meta["app"] == "myapp");
  CHECK(meta["revision"] == revision);
  CHECK(meta["user"] == "alice");
  CHECK(meta["source"]["type"] == "dir");
  CHECK(meta["source"]["path"] == s.local.path() + "/build");

  const Value entry = s.Journal300();
  CHECK(entry["status"] == "pending");
  CHECK(entry["revision"] == revision);
  CHECK(entry["user"] == "alice");
  CHECK(entry["backup"] == "db_backup_300.dump.zst");
  CHECK(entry["backup_skipped"].is_null());
  CHECK(entry["schema_revision"] == "abc");
  CHECK(entry["activated"].is_null());
  // The release that was live is untouched.
  CHECK(Value::parse(*s.h.host.ReadFile(kJournalPath))["releases"][0]["status"] == "live");
}

TEST_CASE("release writes a template that holds a secret readable by its owner only", "[release]") {
  deployctl::RegisterSecret("s3cret-release-template");
  Setup s;
  s.local.Write("templates/env.j2", "DB_PASSWORD={{ db_password }}\n");
  s.h.vars["db_password"] = "s3cret-release-template";
  REQUIRE_FALSE(s.Run(kArgs).failed);
  CHECK(s.h.host.Find(kRelease + "/config/app.env")->mode == 0600);
}

TEST_CASE("release checks everything it can before it changes the host", "[release]") {
  Setup s;
  std::string want;
  Value args = kArgs;
  SECTION("a shared file missing on the host") {
    s.h.host.Remove("/srv/myapp/shared/.env");
    want = "shared file '.env' is missing in /srv/myapp/shared on web01";
  }
  SECTION("the release exists already") {
    s.h.host.AddDir(kRelease);
    want = "release 300 already exists on web01 (" + kRelease + "); a new deploy uses a new id";
  }
  SECTION("the source directory is missing") {
    s.app["source"]["path"] = "nope";
    s.Vars();
    want = "apps.myapp.source.path 'nope' (" + s.local.path() +
           "/nope) does not exist on this machine";
  }
  SECTION("the source is a file where a directory is wanted") {
    s.app["source"]["path"] = "templates/env.j2";
    s.Vars();
    want = "apps.myapp.source.path 'templates/env.j2' (" + s.local.path() +
           "/templates/env.j2) is not a directory (source.type is dir)";
  }
  SECTION("a template is missing") {
    s.app["templates"] = {{{"src", "nope.j2"}, {"dest", "x"}}};
    s.Vars();
    want = "template 'nope.j2' of app myapp not found: " + s.local.path() + "/templates/nope.j2";
  }
  SECTION("a template would be written over a shared path") {
    s.app["templates"] = {{{"src", "env.j2"}, {"dest", "storage/app.env"}}};
    s.Vars();
    want =
        "apps.myapp: template dest 'storage/app.env' is also shared ('storage/'): render it "
        "into the release or keep it in shared/, not both";
  }
  SECTION("the journal is corrupt") {
    s.h.host.AddFile(kJournalPath, "{oops");
    want = "web01:" + kJournalPath +
           ": not valid JSON; fix or move the file away (the releases and current are untouched)";
  }
  SECTION("the release id is not an id") {
    args["release_id"] = "3e5";
    want = "release: argument 'release_id' must be digits (UTC epoch seconds), got '3e5'";
  }
  const auto r = s.Run(args);
  CHECK(r.failed);
  CHECK(r.msg == want);
  CHECK(s.h.host.log().empty());
}

TEST_CASE("release --check plans every change and makes none", "[release]") {
  Setup s;
  const std::string before = *s.h.host.ReadFile(kJournalPath);
  const auto r = s.h.Check(deployctl::ReleaseModule(), kArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK_THAT(r.msg, Catch::StartsWith("would create release 300 of myapp (dir "));
  REQUIRE(s.h.plan.size() == 11);
  CHECK(s.h.plan[0] == "run: mkdir -p -- /srv/myapp/releases /srv/myapp/.deployctl");
  CHECK_THAT(s.h.plan[3], Catch::StartsWith("upload: "));
  CHECK(s.h.host.log().empty());
  CHECK(*s.h.host.ReadFile(kJournalPath) == before);
}

// ------------------------------------------------------------------ faults

TEST_CASE("release whose upload fails leaves an empty release journaled as pending", "[release]") {
  Setup s;
  // Write 1 is the journal, write 2 the upload.
  const auto r = s.Run(kArgs, {Fault::FailWrite(2, "no space left on device")});
  CHECK(r.failed);
  CHECK(r.msg == "web01: cannot write " + kUpload + ": no space left on device");
  CHECK(s.Journal300()["status"] == "pending");  // known, so the next prune removes it
  CHECK(s.h.host.Find(kRelease) != nullptr);
  CHECK(s.h.host.Find(kUpload) == nullptr);
  for (const auto& c : s.h.host.commands()) CHECK_FALSE(c.starts_with("tar "));
}

TEST_CASE("release whose unpacking fails removes the upload and says what tar said", "[release]") {
  Setup s;
  const auto r = s.Run(kArgs, {Fault::FailCommand(1, "tar --no-same-owner",
                                                  {2, "", "tar: Unexpected EOF in archive\n"})});
  CHECK(r.msg == "unpacking " + kUpload + " into " + kRelease +
                     " failed (rc=2): tar: Unexpected EOF in archive");
  CHECK(s.h.host.commands().back() == "rm -f -- " + kUpload);
  CHECK(s.Journal300()["status"] == "pending");
  CHECK(s.h.host.Find(kRelease + "/.deployctl-release.json") == nullptr);
}

TEST_CASE("release whose shared link fails names the entry", "[release]") {
  Setup s;
  const auto r =
      s.Run(kArgs, {Fault::FailCommand(1, "ln -s --", {1, "", "ln: Permission denied"})});
  CHECK(r.msg ==
        "linking shared '.env' into " + kRelease + " failed (rc=1): ln: Permission denied");
  CHECK(s.Journal300()["status"] == "pending");
}

TEST_CASE("release whose journal cannot be written creates no code", "[release]") {
  Setup s;
  const auto r = s.Run(kArgs, {Fault::FailWrite(1)});
  CHECK(r.msg == "web01: cannot write " + kJournalPath + ": permission denied");
  CHECK(s.Journal300().is_null());
  for (const auto& line : s.h.host.log()) CHECK_FALSE(line.starts_with("upload: "));
  // The empty releases/300 made just before is left, unknown to the journal.
  CHECK(s.h.host.Find(kRelease) != nullptr);
}

TEST_CASE("release on a host lost during the upload throws; the release stays pending",
          "[release]") {
  Setup s;
  CHECK_THROWS_AS(s.Run(kArgs, {Fault::LoseHostOnWrite(2)}), deployctl::remote::UnreachableError);
  CHECK(s.Journal300()["status"] == "pending");
}
