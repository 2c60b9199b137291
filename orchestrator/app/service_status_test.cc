#include "orchestrator/app/service_status.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "remote/fake/fake_transport.h"
#include "remote/local/local_transport.h"

using deployctl::AppConfig;
using deployctl::ContainerState;
using deployctl::HealthProbe;
using deployctl::Value;
using deployctl::remote::Command;
using deployctl::remote::CommandResult;
using deployctl::remote::FakeTransport;
using deployctl::remote::LocalTransport;
using Strings = std::vector<std::string>;
namespace fs = std::filesystem;

namespace {

AppConfig TestApp() {
  return deployctl::ParseAppConfig(
      "myapp",
      Value{{"root", "/srv/myapp"},
            {"source", {{"path", "./build"}}},
            {"healthcheck", {{"url", "http://127.0.0.1:8080/health"}, {"timeout", 30}}}},
      "test");
}

const Strings kCompose = {"docker-compose",
                          "-p",
                          "myapp",
                          "-f",
                          "/srv/myapp/releases/1/docker-compose.yml",
                          "--project-directory",
                          "/srv/myapp/releases/1"};

// A directory of stand-ins for curl / wget / busybox, and just the real
// tools the probe script needs, so each test picks which HTTP tool "the
// host" has. The stand-ins answer from `answers` (one line per request,
// the last one repeated) and record their arguments.
class ProbeBed {
 public:
  ProbeBed() {
    char name[] = "/tmp/deployctl-probe-test-XXXXXX";
    dir_ = ::mkdtemp(name);
    fs::create_directories(dir_ / "bin");
    for (const char* tool : {"sh", "date", "sed", "grep", "tail", "head", "tr", "sleep", "cat"}) {
      for (const char* where : {"/bin/", "/usr/bin/"}) {
        if (fs::exists(std::string(where) + tool)) {
          fs::create_symlink(std::string(where) + tool, dir_ / "bin" / tool);
          break;
        }
      }
    }
  }
  ~ProbeBed() { fs::remove_all(dir_); }

  void Answers(const std::string& lines) { Write(dir_ / "answers", lines); }
  void AddTimeout() { fs::create_symlink("/usr/bin/timeout", dir_ / "bin" / "timeout"); }

  void AddCurl() {
    Tool("curl", R"(case $a in
  refused) echo "curl: (7) Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server" >&2; printf '\nhttp_code=000'; exit 7 ;;
  timeout) echo "curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received" >&2; printf '\nhttp_code=000'; exit 28 ;;
  *) printf '\nhttp_code=%s' "$a"; exit 0 ;;
esac)");
  }
  void AddGnuWget() {
    Tool(
        "wget", R"(case $a in
  refused) echo "Connecting to 127.0.0.1:1... failed: Connection refused." >&2; exit 4 ;;
  2*) printf '  HTTP/1.1 %s OK\n' "$a" >&2; exit 0 ;;
  *) printf '  HTTP/1.1 %s Service Unavailable\nERROR %s\n' "$a" "$a" >&2; exit 8 ;;
esac)",
        "if [ \"$1\" = --version ]; then echo 'GNU Wget 1.21.3 built on linux-gnu.'; exit 0; fi\n");
  }
  void AddBusybox() {
    Tool("busybox", R"(case $a in
  refused) echo "wget: can't connect to remote host (127.0.0.1): Connection refused" >&2; exit 1 ;;
  2*) printf 'Connecting to x\n  HTTP/1.1 %s OK\n' "$a" >&2; exit 0 ;;
  *) printf '  HTTP/1.1 %s Service Unavailable\nwget: server returned error: HTTP/1.1 %s Service Unavailable\n' "$a" "$a" >&2; exit 1 ;;
esac)",
         "if [ \"$1\" = --list ]; then printf 'sh\\nwget\\n'; exit 0; fi\n"
         "[ \"$1\" = wget ] || exit 127; shift\n");
  }

  CommandResult Probe(const std::string& url, int timeout, int request_timeout = 10) {
    Command command = deployctl::HealthCheckCommand(url, timeout, request_timeout);
    command.env["PATH"] = (dir_ / "bin").string();
    return LocalTransport("localhost").Run(command);
  }

  std::string Args(const std::string& tool) const {
    std::ifstream in(dir_ / (tool + ".args"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  static void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
  void Tool(const std::string& name, const std::string& answer, const std::string& pre = "") {
    const std::string d = dir_.string();
    Write(dir_ / "bin" / name,
          "#!/bin/sh\n" + pre + "printf '%s\\n' \"$*\" >> " + d + "/" + name + ".args\n" +
              "n=$(($(cat " + d + "/n 2>/dev/null || echo 0) + 1)); echo $n > " + d + "/n\n" +
              "a=$(sed -n \"${n}p\" " + d + "/answers); [ -n \"$a\" ] || a=$(tail -n 1 " + d +
              "/answers)\n" + answer + "\n");
    fs::permissions(dir_ / "bin" / name, fs::perms::owner_all);
  }
  fs::path dir_;
};

}  // namespace

TEST_CASE("container states: one read-only ps -q -a + docker inspect", "[app][service_status]") {
  const Command c = deployctl::ContainerStatesCommand(kCompose, "/srv/myapp/releases/1", {"app"});
  CHECK(c.read_only);
  CHECK(c.cwd == "/srv/myapp/releases/1");
  REQUIRE(c.shell);
  CHECK(*c.shell ==
        "ids=$(docker-compose -p myapp -f /srv/myapp/releases/1/docker-compose.yml "
        "--project-directory /srv/myapp/releases/1 ps -q -a app) || exit $?; "
        "[ -n \"$ids\" ] || exit 0; exec docker inspect --type container -f "
        "'{{.Id}}|{{.Name}}|{{index .Config.Labels \"com.docker.compose.service\"}}|"
        "{{index .Config.Labels \"com.docker.compose.oneoff\"}}|{{.State.Status}}|"
        "{{.State.Running}}|{{with index .State \"Health\"}}{{.Status}}{{end}}|"
        "{{.State.ExitCode}}' $ids");
}

TEST_CASE("container states are parsed from docker inspect lines", "[app][service_status]") {
  const std::string out =
      "e930|/myapp_postgres_1|postgres|False|running|true|healthy|0\n"
      "6736|/myapp_app_1|app|False|exited|false||137\n"
      "garbage line\n"
      "7777|/myapp_app_run_1|app|True|running|true||0\n"
      "6737|/myapp_app_2|app|False|running|true||0\n";
  const auto containers = deployctl::ParseContainerStates(out);
  REQUIRE(containers.size() == 3);  // the one-off `run` container is left out
  CHECK(containers[0].name == "myapp_app_1");
  CHECK(containers[0].state == "exited");
  CHECK_FALSE(containers[0].running);
  CHECK(containers[0].exit_code == 137);
  CHECK(containers[2].service == "postgres");
  CHECK(containers[2].health == "healthy");

  const auto services = deployctl::SummarizeServices(containers);
  REQUIRE(services.size() == 2);
  CHECK(services[0].name == "app");
  CHECK(services[0].state == "exited,running");
  CHECK_FALSE(services[0].running);
  CHECK(services[0].containers == 2);
  CHECK(services[1].running);
  CHECK(deployctl::ServicesValue(containers) ==
        Value{{"app", "exited,running"}, {"postgres", "running"}});
  CHECK(deployctl::ContainersValue(containers)[2] == Value{{"id", "e930"},
                                                           {"name", "myapp_postgres_1"},
                                                           {"service", "postgres"},
                                                           {"state", "running"},
                                                           {"running", true},
                                                           {"health", "healthy"},
                                                           {"exit_code", 0}});
}

TEST_CASE("reading container states fails with compose's error", "[app][service_status]") {
  FakeTransport host("web1");
  host.OnCommand("ps -q -a", {1, "", "Creating...\nNo such service: nope\n"});
  CHECK_THROWS_WITH(deployctl::ReadContainerStates(host, kCompose, "/srv/myapp/releases/1"),
                    Catch::Contains("web1") && Catch::Contains("No such service: nope"));

  FakeTransport partial("web1");  // a container vanished between ps and inspect
  partial.OnCommand("ps -q -a", {1, "6736|/myapp_app_1|app|False|running|true||0\n",
                                 "Error: No such container: e930\n"});
  CHECK(deployctl::ReadContainerStates(partial, kCompose, "/d").size() == 1);
}

TEST_CASE("LastLines keeps the end of compose's stderr", "[app][service_status]") {
  CHECK(deployctl::LastLines("a\n\n  b  \nc\nd\n", 2) == "c\nd");
  CHECK(deployctl::LastLines("only\n", 5) == "only");
  CHECK(deployctl::LastLines("", 3).empty());
}

TEST_CASE("the current release comes from readlink current", "[app][service_status]") {
  const AppConfig app = TestApp();
  FakeTransport host("web1");
  CHECK_FALSE(deployctl::CurrentReleaseId(host, app));
  host.AddLink("/srv/myapp/current", "releases/1748602032");
  CHECK(deployctl::CurrentReleaseId(host, app) == "1748602032");
  host.AddLink("/srv/myapp/current", "/srv/myapp/releases/1748602033/");
  CHECK(deployctl::CurrentReleaseId(host, app) == "1748602033");
  host.AddLink("/srv/myapp/current", "/elsewhere/1748602033");
  CHECK_THROWS_WITH(deployctl::CurrentReleaseId(host, app),
                    Catch::Contains("points to '/elsewhere/1748602033'"));
  host.Remove("/srv/myapp/current");
  host.AddDir("/srv/myapp/current");
  CHECK_THROWS_WITH(deployctl::CurrentReleaseId(host, app), Catch::Contains("not a symbolic link"));
}

TEST_CASE("the health probe is one script with positional arguments", "[app][service_status]") {
  const Command c = deployctl::HealthCheckCommand("http://127.0.0.1:8080/health", 60, 10);
  CHECK(c.argv == Strings{"sh", "-c", deployctl::HealthCheckScript(), "deployctl-healthcheck",
                          "http://127.0.0.1:8080/health", "60", "10"});
  CHECK_FALSE(c.read_only);
  CHECK(c.timeout_seconds == 100);
  const std::string& script = deployctl::HealthCheckScript();
  CHECK_THAT(script, Catch::Contains("command -v curl") && Catch::Contains("command -v wget") &&
                         Catch::Contains("busybox --list") && Catch::Contains("sleep 1"));
  CHECK_THAT(script, Catch::Contains("-w '\\nhttp_code=%{http_code}'"));
  // The URL never appears in the script text, only as $1.
  CHECK(script.find("http://") == std::string::npos);
}

TEST_CASE("health probe results are parsed and described", "[app][service_status]") {
  const std::string url = "http://127.0.0.1:18081/health";
  HealthProbe ok = deployctl::ParseHealthCheck(
      url, {0, "tool=curl\nattempts=3\nelapsed=2\nstatus=HTTP 200\n", ""});
  CHECK(ok.healthy);
  CHECK(ok.tool == "curl");
  CHECK(ok.attempts == 3);
  CHECK(ok.elapsed == 2);
  CHECK(ok.status == "HTTP 200");

  HealthProbe bad = deployctl::ParseHealthCheck(
      url, {1, "tool=wget\nattempts=60\nelapsed=60\nstatus=HTTP 503\n", ""});
  CHECK_FALSE(bad.healthy);
  CHECK(deployctl::DescribeFailedHealth(bad) ==
        "health check of http://127.0.0.1:18081/health failed after 60 s: last answer HTTP 503");
  bad.status = "connection refused";
  CHECK(deployctl::DescribeFailedHealth(bad) ==
        "health check of http://127.0.0.1:18081/health failed after 60 s: connection refused");

  HealthProbe none = deployctl::ParseHealthCheck(url, {127, "tool=none\nstatus=x\n", ""});
  CHECK_FALSE(none.healthy);
  CHECK_THAT(deployctl::DescribeFailedHealth(none), Catch::Contains("none of curl, wget"));

  HealthProbe lost = deployctl::ParseHealthCheck(url, {-1, "", "timed out after 100 s"});
  CHECK_FALSE(lost.healthy);
  CHECK_THAT(lost.status, Catch::Contains("killed") && Catch::Contains("timed out after 100 s"));
}

TEST_CASE("probe script with curl: 2xx is healthy, the status is reported",
          "[app][service_status][script]") {
  ProbeBed bed;
  bed.AddCurl();
  bed.Answers("204\n");
  CommandResult r = bed.Probe("http://127.0.0.1:1/health", 5);
  CHECK(r.exit_status == 0);
  HealthProbe p = deployctl::ParseHealthCheck("u", r);
  CHECK(p.healthy);
  CHECK(p.tool == "curl");
  CHECK(p.status == "HTTP 204");
  CHECK(p.attempts == 1);
  CHECK_THAT(bed.Args("curl"),
             Catch::Contains("-sS -L -o /dev/null -w \\nhttp_code=%{http_code} --max-time 5 "
                             "http://127.0.0.1:1/health"));
}

TEST_CASE("probe script polls about once a second until 2xx", "[app][service_status][script]") {
  ProbeBed bed;
  bed.AddCurl();
  bed.Answers("refused\n503\n200\n");
  HealthProbe p = deployctl::ParseHealthCheck("u", bed.Probe("http://x/", 30));
  CHECK(p.healthy);
  CHECK(p.attempts == 3);
  CHECK(p.elapsed >= 1);
  CHECK(p.elapsed <= 3);
}

TEST_CASE("probe script gives up at the timeout with the last answer",
          "[app][service_status][script]") {
  ProbeBed bed;
  bed.AddCurl();
  bed.Answers("503\n");
  HealthProbe p = deployctl::ParseHealthCheck("u", bed.Probe("http://x/", 1));
  CHECK_FALSE(p.healthy);
  CHECK(p.status == "HTTP 503");
  CHECK(p.attempts >= 2);
  CHECK(p.elapsed >= 1);

  ProbeBed refused;
  refused.AddCurl();
  refused.Answers("refused\n");
  HealthProbe once = deployctl::ParseHealthCheck("u", refused.Probe("http://x/", 0));
  CHECK(once.attempts == 1);  // timeout 0: one attempt
  CHECK(once.status == "connection refused");

  ProbeBed slow;
  slow.AddCurl();
  slow.Answers("timeout\n");
  CHECK(deployctl::ParseHealthCheck("u", slow.Probe("http://x/", 0)).status == "timed out");
}

TEST_CASE("probe script with GNU wget reads the status line", "[app][service_status][script]") {
  ProbeBed bed;
  bed.AddGnuWget();
  bed.Answers("503\n");
  HealthProbe p = deployctl::ParseHealthCheck("u", bed.Probe("http://x/h", 0, 3));
  CHECK(p.tool == "wget");
  CHECK(p.status == "HTTP 503");
  CHECK_FALSE(p.healthy);
  CHECK_THAT(bed.Args("wget"), Catch::Contains("-S -O /dev/null -T 3 --tries=1 http://x/h"));

  ProbeBed up;
  up.AddGnuWget();
  up.Answers("200\n");
  CHECK(deployctl::ParseHealthCheck("u", up.Probe("http://x/h", 0)).healthy);

  ProbeBed refused;
  refused.AddGnuWget();
  refused.Answers("refused\n");
  CHECK(deployctl::ParseHealthCheck("u", refused.Probe("http://x/h", 0)).status ==
        "connection refused");
}

TEST_CASE("probe script falls back to busybox wget, without its -T",
          "[app][service_status][script]") {
  ProbeBed bed;
  bed.AddBusybox();
  bed.AddTimeout();
  bed.Answers("503\n200\n");
  HealthProbe p = deployctl::ParseHealthCheck("u", bed.Probe("http://x/h", 10));
  CHECK(p.tool == "busybox-wget");
  CHECK(p.healthy);
  CHECK(p.attempts == 2);
  // busybox 1.35's wget crashes (SIGSEGV) on -T; the request is bounded by timeout(1).
  CHECK(bed.Args("busybox") == "-S -O /dev/null http://x/h\n-S -O /dev/null http://x/h\n");

  ProbeBed refused;
  refused.AddBusybox();
  refused.Answers("refused\n");
  HealthProbe r = deployctl::ParseHealthCheck("u", refused.Probe("http://x/h", 0));
  CHECK(r.status == "connection refused");
  CHECK_FALSE(r.healthy);
}

TEST_CASE("probe script without any HTTP tool exits 127", "[app][service_status][script]") {
  ProbeBed bed;
  bed.Answers("200\n");
  CommandResult r = bed.Probe("http://x/h", 10);
  CHECK(r.exit_status == 127);
  HealthProbe p = deployctl::ParseHealthCheck("http://x/h", r);
  CHECK(p.tool == "none");
  CHECK_FALSE(p.healthy);
}

TEST_CASE("status: release, services and one health probe, all read-only",
          "[app][service_status]") {
  const AppConfig app = TestApp();
  FakeTransport host("web1");
  host.AddLink("/srv/myapp/current", "releases/1748602032");
  host.OnCommand("docker compose version", {0, "v1\n", ""});
  host.OnCommand("ps -q -a", {0, "6736|/myapp_app_1|app|False|running|true||0\n", ""});
  host.OnCommand("deployctl-healthcheck",
                 {1, "tool=curl\nattempts=1\nelapsed=0\nstatus=HTTP 502\n", ""});
  const auto status = deployctl::ReadAppServiceStatus(host, app, 3);
  CHECK(status.release == "1748602032");
  REQUIRE(status.services.size() == 1);
  CHECK(status.services[0].running);
  REQUIRE(status.health);
  CHECK(status.health->status == "HTTP 502");
  for (const auto& run : host.runs()) CHECK(run.read_only);
  CHECK(host.runs().back().argv[4] == "http://127.0.0.1:8080/health");
  CHECK(host.runs().back().argv[5] == "0");  // one attempt
  CHECK(host.runs().back().argv[6] == "3");
  CHECK_THAT(host.commands()[1], Catch::StartsWith("cd /srv/myapp/releases/1748602032 && sh -c "));

  const Value v = deployctl::AppServiceStatusValue(status);
  CHECK(v["release"] == "1748602032");
  CHECK(v["services"] == Value{{"app", "running"}});
  CHECK(v["health"]["healthy"] == false);

  FakeTransport empty("web2");
  const auto none = deployctl::ReadAppServiceStatus(empty, app);
  CHECK_FALSE(none.release);
  CHECK_THAT(none.services_error, Catch::Contains("no release is deployed"));
}
