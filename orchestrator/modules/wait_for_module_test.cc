#include "orchestrator/modules/wait_for_module.h"

#include <catch2/catch.hpp>
#include <functional>

#include "orchestrator/modules/module_test_util.h"

using deployctl::Value;
using deployctl::WaitClock;
using deployctl::WaitForModule;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

namespace {

// Time passes only when the module sleeps.
class FakeClock : public WaitClock {
 public:
  double Now() override { return now; }
  void Sleep(double seconds) override {
    now += seconds;
    sleeps.push_back(seconds);
    if (on_sleep) on_sleep();
  }
  double now = 1000;
  std::vector<double> sleeps;
  std::function<void()> on_sleep;
};

}  // namespace

TEST_CASE("wait_for a port probes from the host with one fixed script", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  auto r = h.Run(WaitForModule(clock), {{"port", 8080}});
  REQUIRE(h.host.runs().size() == 1);
  const auto& probe = h.host.runs()[0];
  REQUIRE(probe.argv.size() == 7);
  CHECK(probe.argv[0] == "sh");
  CHECK(probe.argv[1] == "-c");
  CHECK_THAT(probe.argv[2], Catch::Contains("/dev/tcp/$1/$2") && Catch::Contains("nc -z"));
  CHECK(Strings(probe.argv.begin() + 3, probe.argv.end()) ==
        Strings{"wait_for", "127.0.0.1", "8080", "5"});
  CHECK(probe.read_only);
  CHECK(probe.timeout_seconds == 10);
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "127.0.0.1:8080: condition met");
  CHECK(r.data == Value{{"elapsed", 0}, {"state", "started"}, {"changed", false}, {"port", 8080}});
}

TEST_CASE("wait_for polls every `sleep` seconds until the port opens", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  h.host.OnCommand("wait_for db 5432", {1, "", ""}, 2);
  auto r = h.Run(WaitForModule(clock), {{"host", "db"}, {"port", "5432"}, {"sleep", 2}});
  CHECK(h.host.commands().size() == 3);
  CHECK(clock.sleeps == std::vector<double>{2, 2});
  CHECK_FALSE(r.failed);
  CHECK(r.data["elapsed"] == 4);
}

TEST_CASE("wait_for times out with Ansible's message", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  h.host.OnCommand("wait_for", {1, "", ""});
  auto r = h.Run(WaitForModule(clock), {{"port", 8080}, {"timeout", 3}, {"delay", 1}});
  CHECK(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg == "Timeout when waiting for 127.0.0.1:8080");
  CHECK(clock.sleeps == std::vector<double>{1, 1, 1});  // delay, then two polls
  CHECK(h.host.commands().size() == 3);
  CHECK(r.data["elapsed"] == 3);

  auto custom = h.Run(WaitForModule(clock), {{"port", 8080}, {"timeout", 0}, {"msg", "no app"}});
  CHECK(custom.msg == "no app");
}

TEST_CASE("wait_for state=stopped waits for the port to close", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  h.host.OnCommand("wait_for", {0, "", ""}, 1);
  h.host.OnCommand("wait_for", {1, "", ""});
  auto r = h.Run(WaitForModule(clock), {{"port", 8080}, {"state", "stopped"}});
  CHECK_FALSE(r.failed);
  CHECK(h.host.commands().size() == 2);

  ModuleHarness open;
  open.host.OnCommand("wait_for 127.0.0.1 9", {0, "", ""});
  auto timeout = open.Run(WaitForModule(clock), {{"port", 9}, {"state", "absent"}, {"timeout", 1}});
  CHECK(timeout.msg == "Timeout when waiting for 127.0.0.1:9 to stop");
}

TEST_CASE("wait_for fails at once when the host has no probe tool", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  h.host.OnCommand("wait_for", {127, "", "neither bash nor nc\n"});
  auto r = h.Run(WaitForModule(clock), {{"port", 8080}});
  CHECK(r.failed);
  CHECK(r.msg == "cannot probe 127.0.0.1:8080 on web01: neither bash nor nc is installed there");
  CHECK(h.host.commands().size() == 1);
}

TEST_CASE("wait_for a path uses stat, no command", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  clock.on_sleep = [&] {
    if (clock.now >= 1003) h.host.AddFile("/run/app.pid", "42");
  };
  auto r = h.Run(WaitForModule(clock), {{"path", "/run/app.pid"}});
  CHECK_FALSE(r.failed);
  CHECK(r.data["elapsed"] == 3);
  CHECK(r.data["path"] == "/run/app.pid");
  CHECK(h.host.commands().empty());

  auto gone =
      h.Run(WaitForModule(clock), {{"path", "/run/app.pid"}, {"state", "absent"}, {"timeout", 2}});
  CHECK(gone.msg == "Timeout when waiting for /run/app.pid to be absent");
  auto file = h.Run(WaitForModule(clock), {{"path", "/run/other"}, {"timeout", 0}});
  CHECK(file.msg == "Timeout when waiting for file /run/other");
}

TEST_CASE("wait_for with neither port nor path sleeps the timeout", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  auto r = h.Run(WaitForModule(clock), {{"timeout", 5}});
  CHECK(clock.sleeps == std::vector<double>{5});
  CHECK(r.data["elapsed"] == 5);
}

TEST_CASE("wait_for in --check probes once and does not wait", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  h.host.OnCommand("wait_for", {1, "", ""});
  auto r = h.Check(WaitForModule(clock), {{"port", 8080}});
  CHECK(h.host.commands().size() == 1);  // the probe is read-only: it really ran
  CHECK(h.plan.empty());
  CHECK(clock.sleeps.empty());
  CHECK_FALSE(r.failed);
  CHECK(r.msg == "would wait up to 300s for 127.0.0.1:8080");
}

TEST_CASE("wait_for rejects bad arguments", "[modules][wait_for]") {
  ModuleHarness h;
  FakeClock clock;
  CHECK(h.Run(WaitForModule(clock), {{"port", 70000}}).msg ==
        "wait_for: argument 'port' must be a port number (1-65535), got 70000");
  CHECK(h.Run(WaitForModule(clock), {{"port", 80}, {"timeout", "soon"}}).msg ==
        "wait_for: argument 'timeout' must be an integer, got 'soon'");
  CHECK(h.Run(WaitForModule(clock), {{"port", 80}, {"path", "/x"}}).msg ==
        "wait_for: give 'port' or 'path', not both");
  CHECK(h.Run(WaitForModule(clock), {{"port", 80}, {"state", "drained"}}).msg ==
        "wait_for: argument 'state' must be one of started, present, stopped, absent, got "
        "'drained'");
  CHECK(h.host.commands().empty());
}
