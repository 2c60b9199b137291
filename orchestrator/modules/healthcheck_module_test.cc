#include "orchestrator/modules/healthcheck_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/app/service_status.h"
#include "orchestrator/modules/module_test_util.h"

using deployctl::HealthcheckModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

namespace {

ModuleHarness Host(bool healthcheck = true) {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"}, {"source", {{"type", "dir"}, {"path", "./build"}}}};
  if (healthcheck) app["healthcheck"] = {{"url", "http://127.0.0.1:18081/health"}, {"timeout", 45}};
  h.vars = {{"apps", {{"myapp", app}}}};
  return h;
}

}  // namespace

TEST_CASE("healthcheck runs one probe script on the host with the app's URL",
          "[modules][healthcheck]") {
  ModuleHarness h = Host();
  h.host.OnCommand("deployctl-healthcheck",
                   {0, "tool=curl\nattempts=4\nelapsed=3\nstatus=HTTP 200\n", ""});
  auto r = h.Run(HealthcheckModule(), {{"app", "myapp"}});
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  REQUIRE(h.host.runs().size() == 1);
  const auto& probe = h.host.runs()[0];
  CHECK(probe.argv == Strings{"sh", "-c", deployctl::HealthCheckScript(), "deployctl-healthcheck",
                              "http://127.0.0.1:18081/health", "45", "10"});
  CHECK_FALSE(probe.read_only);
  CHECK(r.data == Value{{"url", "http://127.0.0.1:18081/health"},
                        {"healthy", true},
                        {"status", "HTTP 200"},
                        {"elapsed", 3},
                        {"attempts", 4},
                        {"tool", "curl"}});
  CHECK(r.msg == "http://127.0.0.1:18081/health answered HTTP 200 after 3 s (4 attempts)");
}

TEST_CASE("healthcheck arguments override the app's", "[modules][healthcheck]") {
  ModuleHarness h = Host();
  h.Run(HealthcheckModule(), {{"app", "myapp"}, {"url", "https://x.test/ok"}, {"timeout", "5"}});
  CHECK(Strings(h.host.runs()[0].argv.begin() + 4, h.host.runs()[0].argv.end()) ==
        Strings{"https://x.test/ok", "5", "10"});

  ModuleHarness bare;
  bare.Run(HealthcheckModule(), {{"url", "http://127.0.0.1:8080/"}});
  CHECK(bare.host.runs()[0].argv[5] == "60");  // the default timeout
}

TEST_CASE("healthcheck failures say what the last answer was", "[modules][healthcheck]") {
  ModuleHarness h = Host();
  h.host.OnCommand("deployctl-healthcheck",
                   {1, "tool=wget\nattempts=45\nelapsed=45\nstatus=HTTP 503\n", ""}, 1);
  h.host.OnCommand("deployctl-healthcheck",
                   {1, "tool=curl\nattempts=45\nelapsed=45\nstatus=connection refused\n", ""});
  auto r = h.Run(HealthcheckModule(), {{"app", "myapp"}});
  CHECK(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.msg ==
        "health check of http://127.0.0.1:18081/health failed after 45 s: last answer HTTP 503");
  CHECK(r.data["status"] == "HTTP 503");
  CHECK(r.data["healthy"] == false);
  CHECK(h.Run(HealthcheckModule(), {{"app", "myapp"}}).msg ==
        "health check of http://127.0.0.1:18081/health failed after 45 s: connection refused");

  ModuleHarness bare = Host();
  bare.host.OnCommand("deployctl-healthcheck", {127, "tool=none\nstatus=x\n", ""});
  CHECK_THAT(bare.Run(HealthcheckModule(), {{"app", "myapp"}}).msg,
             Catch::Contains("none of curl, wget or busybox wget is installed"));
}

TEST_CASE("healthcheck --check records the probe instead of running it", "[modules][healthcheck]") {
  ModuleHarness h = Host();
  h.host.OnCommand("deployctl-healthcheck",
                   {1, "tool=curl\nattempts=1\nelapsed=0\nstatus=HTTP 503\n", ""});
  auto r = h.Check(HealthcheckModule(), {{"app", "myapp"}});
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(h.host.commands().empty());
  REQUIRE(h.plan.size() == 1);
  CHECK_THAT(h.plan[0],
             Catch::Contains("deployctl-healthcheck http://127.0.0.1:18081/health 45 10"));
  CHECK(r.msg == "would check http://127.0.0.1:18081/health (up to 45 s)");
}

TEST_CASE("healthcheck without a URL", "[modules][healthcheck]") {
  ModuleHarness h = Host(false);
  auto skipped = h.Run(HealthcheckModule(), {{"app", "myapp"}});
  CHECK_FALSE(skipped.failed);
  CHECK(skipped.data["skipped"] == true);
  CHECK(skipped.msg == "skipped: apps.myapp.healthcheck is not configured");
  CHECK(h.host.commands().empty());

  CHECK(h.Run(HealthcheckModule(), Value::object()).msg ==
        "healthcheck: give 'url', or 'app' with apps.NAME.healthcheck configured");
  CHECK(h.Run(HealthcheckModule(), {{"url", "ftp://x/"}}).msg ==
        "healthcheck: argument 'url' must be an http:// or https:// URL, got 'ftp://x/'");
  CHECK_THAT(h.Run(HealthcheckModule(), {{"url", "http://x/"}, {"timeout", -1}}).msg,
             Catch::Contains("argument 'timeout'"));
  CHECK(h.host.commands().empty());
}
