// The deploy lock: LockInfo and its messages (orchestrator/app/lock_info),
// and the deploy_lock module taking, refusing, waiting for and giving back
// the lock, on a fake host whose tree follows the lock's mkdir and rm.
#include "orchestrator/modules/deploy_lock_module.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "orchestrator/app/lock_info.h"
#include "orchestrator/app/run_identity.h"
#include "orchestrator/modules/module_test_util.h"
#include "remote/fault/fault_transport.h"

namespace {

using deployctl::LockInfo;
using deployctl::LockState;
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

const std::string kLock = "/srv/myapp/.deployctl/lock";
const std::string kInfo = kLock + "/info.json";
const std::string kTake = "mkdir -p -- /srv/myapp/.deployctl && mkdir -- " + kLock;

// The fake host, with the lock's mkdir and rm -rf applied to its tree.
// `release_after`: the lock disappears with the Nth failed mkdir (its
// holder finished meanwhile), for --lock-wait.
class LockHost : public BorrowedTransport {
 public:
  explicit LockHost(FakeTransport& fake) : BorrowedTransport(fake), fake_(fake) {}
  int release_after = -1;

  CommandResult Run(const Command& c) override {
    const CommandResult result = BorrowedTransport::Run(c);
    if (!result.ok()) return result;
    if (c.shell && c.shell->ends_with("mkdir -- " + kLock)) {
      if (fake_.Find(kLock)) {
        if (release_after > 0 && --release_after == 0) {
          fake_.Remove(kInfo);
          fake_.Remove(kLock);
        }
        return {1, "", "mkdir: cannot create directory '" + kLock + "': File exists"};
      }
      fake_.AddDir(kLock);
    } else if (c.argv == std::vector<std::string>{"rm", "-rf", "--", kLock}) {
      fake_.Remove(kInfo);
      fake_.Remove(kLock);
    }
    return result;
  }

 private:
  FakeTransport& fake_;
};

const Value kRun = {{"token", "0123456789abcdef"},
                    {"user", "alice"},
                    {"controller", "laptop"},
                    {"pid", 42},
                    {"started", "2026-12-01T10:00:00Z"}};

ModuleHarness Host() {
  ModuleHarness h;
  h.vars = {{"apps", {{"myapp", {{"root", "/srv/myapp"}, {"source", {{"path", "."}}}}}}},
            {"deployctl_run", kRun}};
  h.host.AddDir("/srv/myapp/.deployctl");
  return h;
}

// Someone else's lock on the host.
void HeldByBob(ModuleHarness& h) {
  h.host.AddDir(kLock);
  h.host.AddFile(kInfo,
                 R"({"token": "3fa2b0c1d2e3", "user": "bob", "controller": "desk", "pid": 7,)"
                 R"( "started": "2026-11-21T10:00:00Z", "command": "deploy"})");
}

const std::string kBob = "bob@desk (pid 7, deploy since 2026-11-21T10:00:00Z, run 3fa2b0c1...)";

ModuleResult Run(ModuleHarness& h, const Value& args, std::vector<Fault> faults = {},
                 int release_after = -1) {
  LockHost lock_host(h.host);
  lock_host.release_after = release_after;
  FaultTransport host(lock_host, std::move(faults));
  ModuleContext ctx{host, args, h.vars, false, h.project_dir};
  return deployctl::DeployLockModule().Run(ctx);
}

const Value kLockArgs = {{"app", "myapp"}, {"command", "deploy"}};

Value LockArgs(const std::string& state) {
  return {{"app", "myapp"}, {"state", state}};
}

}  // namespace

// ------------------------------------------------------------- lock_info

TEST_CASE("DescribeHolder and LockHeldMessage read as the design note fixes them", "[lock]") {
  LockState state;
  state.locked = true;
  state.holder = deployctl::ParseLockInfo(
      R"({"token": "3fa2b0c1d2e3", "user": "alice", "controller": "laptop", "pid": 4242,)"
      R"( "started": "2026-11-21T10:00:00Z", "command": "deploy"})");
  REQUIRE(state.holder);
  CHECK(deployctl::LockHeldMessage("myapp", "web1", state) ==
        "app 'myapp' is locked on web1 by alice@laptop (pid 4242, deploy since "
        "2026-11-21T10:00:00Z, run 3fa2b0c1...); wait with --lock-wait SECONDS, or clear a stale "
        "lock with 'deployctl unlock app=myapp'");
  state.holder->token = "abc";
  state.holder->command = "";
  state.holder->controller = "";
  CHECK(deployctl::DescribeHolder(state) ==
        "alice (pid 4242, since 2026-11-21T10:00:00Z, run abc)");
  state.holder = LockInfo{};
  CHECK(deployctl::DescribeHolder(state) == "unknown (pid 0)");
  state.holder.reset();
  state.since = 1700000000;
  CHECK(deployctl::DescribeHolder(state) ==
        "an unknown holder (no readable info.json: a run killed while taking the lock?; locked "
        "since 2023-11-14T22:13:20Z)");
  CHECK(deployctl::HolderToJson(state) == Value{{"user", "unknown"},
                                                {"unknown", true},
                                                {"stale", true},
                                                {"since", "2023-11-14T22:13:20Z"}});
  CHECK(deployctl::HolderToJson(LockState{}).is_null());
}

TEST_CASE("ParseLockInfo takes JSON objects only; numbers may be strings", "[lock]") {
  CHECK_FALSE(deployctl::ParseLockInfo("not json").has_value());
  CHECK_FALSE(deployctl::ParseLockInfo("[1]").has_value());
  const auto info = deployctl::ParseLockInfo(R"({"pid": "99", "user": 5})");
  REQUIRE(info);
  CHECK(info->pid == 99);
  CHECK(info->user == "5");
  const LockInfo round = *deployctl::ParseLockInfo(
      deployctl::LockInfoToJson(deployctl::LockInfoFromRun(kRun, "x")).dump());
  CHECK(round.token == "0123456789abcdef");
  CHECK(round.command == "x");
  CHECK(round.pid == 42);
}

TEST_CASE("RunIdentity: the CLI's deployctl_run, else one made up once per process", "[lock]") {
  CHECK(deployctl::RunIdentity(Value{{"deployctl_run", kRun}}) == kRun);
  const Value made = deployctl::RunIdentity(Value::object());
  CHECK(made["token"].get<std::string>().size() == 16);
  CHECK(deployctl::RunIdentity(Value::object()) == made);
}

TEST_CASE("ReadLockState: not locked, locked with a holder, locked without info.json", "[lock]") {
  ModuleHarness h = Host();
  deployctl::AppConfig app;
  app.name = "myapp";
  app.root = "/srv/myapp";
  CHECK_FALSE(deployctl::ReadLockState(h.host, app).locked);
  h.host.AddDir(kLock);
  LockState bare = deployctl::ReadLockState(h.host, app);
  CHECK(bare.locked);
  CHECK_FALSE(bare.holder);
  CHECK(bare.since == 1700000000);
  HeldByBob(h);
  CHECK(deployctl::ReadLockState(h.host, app).holder->user == "bob");
  CHECK(h.host.commands().empty());  // lstat and a read, no command
}

// ------------------------------------------------------------ taking the lock

TEST_CASE("deploy_lock takes a free lock: mkdir, then info.json naming the run", "[lock]") {
  ModuleHarness h = Host();
  const auto r = Run(h, kLockArgs);
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "locked myapp on web01");
  CHECK(h.host.log() ==
        std::vector<std::string>{"run: sh -c '" + kTake + "'", "write: " + kInfo + " 0644"});
  REQUIRE(h.host.Find(kInfo));
  const Value info = Value::parse(h.host.Find(kInfo)->content);
  CHECK(info == Value{{"token", "0123456789abcdef"},
                      {"user", "alice"},
                      {"controller", "laptop"},
                      {"pid", 42},
                      {"started", "2026-12-01T10:00:00Z"},
                      {"command", "deploy"}});
  CHECK(r.data["locked"] == true);
  CHECK(r.data["holder"]["user"] == "alice");
}

TEST_CASE("deploy_lock held by another run is refused at once, naming the holder", "[lock]") {
  ModuleHarness h = Host();
  HeldByBob(h);
  const std::string before = h.host.Find(kInfo)->content;
  const auto r = Run(h, kLockArgs);
  CHECK(r.failed);
  CHECK(r.refused);
  CHECK(r.msg == "app 'myapp' is locked on web01 by " + kBob +
                     "; wait with --lock-wait SECONDS, or clear a stale lock with 'deployctl "
                     "unlock app=myapp'");
  CHECK(h.host.Find(kInfo)->content == before);
  CHECK(h.host.writes().empty());
  CHECK(r.data["holder"]["user"] == "bob");
}

TEST_CASE("deploy_lock held without info.json is refused as an unknown holder", "[lock]") {
  ModuleHarness h = Host();
  h.host.AddDir(kLock);
  const auto r = Run(h, kLockArgs);
  CHECK(r.refused);
  CHECK_THAT(r.msg, Catch::StartsWith("app 'myapp' is locked on web01 by an unknown holder (no "
                                      "readable info.json"));
  CHECK(r.data["holder"]["stale"] == true);
}

TEST_CASE("deploy_lock held by this very run is fine and changes nothing", "[lock]") {
  ModuleHarness h = Host();
  h.host.AddDir(kLock);
  h.host.AddFile(kInfo, deployctl::LockInfoToJson(deployctl::LockInfoFromRun(kRun, "")).dump());
  const auto r = Run(h, kLockArgs);
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "this run already holds the lock of myapp");
  CHECK(h.host.writes().empty());
}

TEST_CASE("deploy_lock with wait takes the lock once its holder lets go", "[lock]") {
  ModuleHarness h = Host();
  HeldByBob(h);
  const auto started = std::chrono::steady_clock::now();
  const auto r = Run(h, {{"app", "myapp"}, {"wait", 3}}, {}, /*release_after=*/2);
  CHECK_FALSE(r.failed);
  CHECK(r.msg == "locked myapp on web01");
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(900));
  CHECK(Value::parse(h.host.Find(kInfo)->content)["user"] == "alice");
}

// Regression: the wait loop refused as soon as "now + 1 s" passed the
// deadline, so --lock-wait 1 never tried a second time: it behaved as 0.
TEST_CASE("deploy_lock with wait 1 tries again within that second", "[lock]") {
  ModuleHarness h = Host();
  HeldByBob(h);
  const auto r = Run(h, {{"app", "myapp"}, {"wait", 1}}, {}, /*release_after=*/2);
  CHECK_FALSE(r.failed);
}

TEST_CASE("deploy_lock refuses a negative wait", "[lock]") {
  ModuleHarness h = Host();
  const auto r = Run(h, {{"app", "myapp"}, {"wait", -1}});
  CHECK(r.failed);
  CHECK(r.msg == "deploy_lock: argument 'wait' must be a number of seconds (0 or more), got -1");
  CHECK(h.host.commands().empty());
}

TEST_CASE("deploy_lock --check takes no lock and says what a run would find", "[lock]") {
  ModuleHarness h = Host();
  auto r = h.Check(deployctl::DeployLockModule(), kLockArgs);
  CHECK_FALSE(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "would take the lock of myapp");
  CHECK(h.plan.empty());
  CHECK(h.host.commands().empty());
  CHECK(h.host.Find(kLock) == nullptr);

  HeldByBob(h);
  r = h.Check(deployctl::DeployLockModule(), kLockArgs);
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "would wait for the lock: app 'myapp' is locked on web01 by " + kBob +
                     "; wait with --lock-wait SECONDS, or clear a stale lock with 'deployctl "
                     "unlock app=myapp'");
}

// ------------------------------------------------------------ faults taking it

TEST_CASE("deploy_lock whose info.json cannot be written gives the directory back", "[lock]") {
  ModuleHarness h = Host();
  const auto r = Run(h, kLockArgs, {Fault::FailWrite(1)});
  CHECK(r.failed);
  CHECK_FALSE(r.refused);
  CHECK(r.msg == "web01: cannot write " + kInfo + ": permission denied");
  CHECK(h.host.Find(kLock) == nullptr);
  CHECK(h.host.commands().back() == "rm -rf -- " + kLock);
}

TEST_CASE("deploy_lock whose mkdir fails without a lock there says why", "[lock]") {
  ModuleHarness h = Host();
  h.host.OnCommand("mkdir -- " + kLock,
                   {1, "", "mkdir: cannot create directory: Permission denied\n"});
  const auto r = Run(h, kLockArgs);
  CHECK(r.failed);
  CHECK_FALSE(r.refused);
  CHECK(r.msg == "creating the lock directory " + kLock +
                     " failed (rc=1): mkdir: cannot create directory: Permission denied");
  CHECK(h.host.commands().size() == 2);  // tried twice: it might have been let go in between
}

TEST_CASE("deploy_lock on a host lost while taking it throws for the engine", "[lock]") {
  ModuleHarness h = Host();
  CHECK_THROWS_AS(Run(h, kLockArgs, {Fault::LoseHostOnCommand(1, "mkdir")}),
                  deployctl::remote::UnreachableError);
  CHECK(h.host.Find(kLock) == nullptr);
}

TEST_CASE("deploy_lock on a host lost after the mkdir leaves a lock without info.json", "[lock]") {
  // What `deployctl unlock` is for: the next run reads it as an unknown holder.
  ModuleHarness h = Host();
  CHECK_THROWS_AS(Run(h, kLockArgs, {Fault::LoseHostOnWrite(1)}),
                  deployctl::remote::UnreachableError);
  CHECK(h.host.Find(kLock) != nullptr);
  CHECK(h.host.Find(kInfo) == nullptr);
}

// ------------------------------------------------------------ giving it back

TEST_CASE("deploy_lock unlocked by its holder removes the lock", "[lock]") {
  ModuleHarness h = Host();
  REQUIRE_FALSE(Run(h, kLockArgs).failed);
  const auto r = Run(h, LockArgs("unlocked"));
  CHECK(r.changed);
  CHECK(r.msg == "unlocked myapp");
  CHECK(h.host.Find(kLock) == nullptr);
  CHECK(r.data["previous_holder"]["user"] == "alice");
  CHECK(r.data["locked"] == false);
}

TEST_CASE("deploy_lock leaves another run's lock in place unless forced", "[lock]") {
  ModuleHarness h = Host();
  HeldByBob(h);
  auto r = Run(h, LockArgs("unlocked"));
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "the lock of myapp is held by " + kBob + ", not by this run: left in place");
  CHECK(h.host.Find(kInfo) != nullptr);
  CHECK(h.host.commands().empty());

  r = Run(h, {{"app", "myapp"}, {"state", "unlocked"}, {"force", true}});
  CHECK(r.changed);
  CHECK(r.msg == "removed the lock of myapp held by " + kBob);
  CHECK(r.data["previous_holder"]["user"] == "bob");
  CHECK(h.host.Find(kLock) == nullptr);
}

TEST_CASE("deploy_lock unlocked when nothing holds it changes nothing", "[lock]") {
  ModuleHarness h = Host();
  const auto r = Run(h, LockArgs("unlocked"));
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "myapp is not locked on web01");
  CHECK(h.host.commands().empty());
}

TEST_CASE("deploy_lock unlock whose rm fails reports it and keeps the lock", "[lock]") {
  ModuleHarness h = Host();
  HeldByBob(h);
  const auto r = Run(h, {{"app", "myapp"}, {"state", "unlocked"}, {"force", true}},
                     {Fault::FailCommand(1, "rm -rf", {1, "", "rm: Operation not permitted"})});
  CHECK(r.failed);
  CHECK(r.msg == "removing the lock " + kLock + " failed (rc=1): rm: Operation not permitted");
  CHECK(h.host.Find(kInfo) != nullptr);
}

TEST_CASE("deploy_lock --check unlock says what it would remove and removes nothing", "[lock]") {
  ModuleHarness h = Host();
  HeldByBob(h);
  const auto r = h.Check(deployctl::DeployLockModule(),
                         {{"app", "myapp"}, {"state", "unlocked"}, {"force", true}});
  CHECK(r.changed);
  CHECK(r.msg == "would remove the lock of myapp held by " + kBob);
  CHECK(h.plan == std::vector<std::string>{"run: rm -rf -- " + kLock});
  CHECK(h.host.Find(kInfo) != nullptr);
}

TEST_CASE("deploy_lock query reports the holder without changing anything", "[lock]") {
  ModuleHarness h = Host();
  auto r = Run(h, LockArgs("query"));
  CHECK(r.msg == "not locked");
  CHECK(r.data == Value{{"locked", false}, {"holder", nullptr}});
  HeldByBob(h);
  r = Run(h, LockArgs("query"));
  CHECK(r.msg == "locked by " + kBob);
  CHECK(r.data["holder"]["token"] == "3fa2b0c1d2e3");
  CHECK(h.host.commands().empty());
}

TEST_CASE("deploy_lock with an unknown app fails naming it", "[lock]") {
  ModuleHarness h = Host();
  CHECK_THROWS_WITH(Run(h, {{"app", "nope"}}), Catch::Contains("unknown app 'nope'"));
}
