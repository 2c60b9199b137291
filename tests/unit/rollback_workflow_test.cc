// playbooks/rollback.yml run by the engine against two fake hosts: the
// workflow's order and its put-back, without sshd or docker (the e2e test
// tests/e2e/rollback_test.sh runs it for real on one host).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "orchestrator/app/journal.h"
#include "orchestrator/engine/playbook.h"
#include "orchestrator/engine/runner.h"
#include "remote/fake/fake_transport.h"

namespace {

using deployctl::Value;
using deployctl::remote::FakeTransport;

// Hands the runner a host the test keeps, and lets the commands that
// matter here change its file tree: the lock's mkdir and rm, and the
// switch's ln + mv of `current`.
class Borrowed : public deployctl::remote::Transport {
 public:
  explicit Borrowed(FakeTransport& fake) : fake_(fake) {}
  deployctl::remote::CommandResult Run(const deployctl::remote::Command& c) override {
    auto result = fake_.Run(c);
    const std::vector<std::string>& a = c.argv;
    const std::string lock = "/srv/myapp/.deployctl/lock";
    if (c.shell && c.shell->ends_with("mkdir -- " + lock)) {
      if (fake_.Find(lock)) return {1, "", "mkdir: File exists"};
      fake_.AddDir(lock);
    } else if (a.size() == 4 && a[0] == "rm" && a[3] == lock) {
      fake_.Remove(lock + "/info.json");
      fake_.Remove(lock);
    } else if (a.size() == 5 && a[0] == "ln" && a[1] == "-sfn") {
      links_[a[4]] = a[3];
    } else if (a.size() == 5 && a[0] == "mv" && a[1] == "-T" && links_.contains(a[3])) {
      fake_.AddLink(a[4], links_[a[3]]);
    }
    return result;
  }
  void WriteFile(const std::string& p, const std::string& content, unsigned mode) override {
    fake_.WriteFile(p, content, mode);
  }
  void UploadFile(const std::string& l, const std::string& p, unsigned mode) override {
    fake_.UploadFile(l, p, mode);
  }
  std::optional<std::string> ReadFile(const std::string& p) override { return fake_.ReadFile(p); }
  deployctl::remote::RemoteFileInfo Stat(const std::string& p) override { return fake_.Stat(p); }
  const std::string& host() const override { return fake_.host(); }

 private:
  FakeTransport& fake_;
  std::map<std::string, std::string> links_;  // temp link -> target
};

const char* kJournal = R"({"app": "myapp", "releases": [
  {"id": "100", "status": "good"},
  {"id": "200", "status": "live"}
]})";

const std::string kHealthy = "tool=curl\nattempts=1\nelapsed=0\nstatus=HTTP 200\n";

struct Workflow {
  std::filesystem::path dir;
  std::map<std::string, std::unique_ptr<FakeTransport>> hosts;
  std::ostringstream out;

  Workflow() {
    dir = std::filesystem::temp_directory_path() /
          ("deployctl_rollback_workflow_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "hosts.yml") << R"(all:
  hosts:
    web1: {}
    web2: {}
  vars:
    apps:
      myapp:
        root: /srv/myapp
        source: { type: dir, path: ./build }
        healthcheck: { url: "http://127.0.0.1:8080/health", timeout: 5 }
)";
    for (const char* name : {"web1", "web2"}) {
      auto fake = std::make_unique<FakeTransport>(name);
      fake->AddFile("/srv/myapp/.deployctl/journal.json", kJournal);
      fake->AddDir("/srv/myapp/releases/100");
      fake->AddDir("/srv/myapp/releases/200");
      fake->AddLink("/srv/myapp/current", "releases/200");
      fake->OnCommand("docker compose version", {0, "v2\n", ""});
      hosts[name] = std::move(fake);
    }
  }
  ~Workflow() { std::filesystem::remove_all(dir); }

  deployctl::RunSummary Run(const std::string& to = "") {
    const deployctl::Inventory inventory = deployctl::Inventory::Load((dir / "hosts.yml").string());
    deployctl::RunOptions options;
    options.extra_vars = {{"app", "myapp"},
                          {"app_hosts", "web1,web2"},
                          {"db_host", "web1"},
                          {"lock_wait", 0},
                          {"rollback_to", to},
                          {"rollback_force", false},
                          {"rollback_restore_database", false},
                          {"deployctl_run",
                           {{"token", "0123abcd"},
                            {"user", "alice"},
                            {"controller", "laptop"},
                            {"pid", 42},
                            {"started", "2026-12-01T10:00:00Z"},
                            {"command", "rollback"}}}};
    auto reporter = deployctl::MakeTextReporter(out, 0);
    deployctl::PlaybookRunner runner(
        inventory, options, *reporter, [this](const deployctl::remote::ConnectionSpec& spec) {
          return std::make_unique<Borrowed>(*hosts.at(spec.inventory_name));
        });
    return runner.Run(
        deployctl::LoadPlaybook(std::string(DEPLOYCTL_SOURCE_DIR) + "/playbooks/rollback.yml"));
  }

  std::string Status(const std::string& host, const std::string& id) {
    const auto text = hosts.at(host)->ReadFile("/srv/myapp/.deployctl/journal.json");
    const Value journal = Value::parse(*text);
    for (const auto& r : journal["releases"]) {
      if (r["id"] == id) return r["status"].get<std::string>();
    }
    return "";
  }

  // Commands run on `host` that contain `needle`.
  int Ran(const std::string& host, const std::string& needle) {
    int n = 0;
    for (const auto& c : hosts.at(host)->commands()) n += c.find(needle) != std::string::npos;
    return n;
  }
};

}  // namespace

TEST_CASE("rollback.yml switches every host back, marks the release bad and records it",
          "[rollback][workflow]") {
  Workflow w;
  for (auto& [name, fake] : w.hosts) fake->OnCommand("deployctl-healthcheck", {0, kHealthy, ""});
  const deployctl::RunSummary summary = w.Run();
  INFO(w.out.str());
  REQUIRE(summary.exit_code() == deployctl::ExitCode::kOk);
  for (const char* host : {"web1", "web2"}) {
    CHECK(w.Status(host, "100") == "live");
    CHECK(w.Status(host, "200") == "bad");
    CHECK(w.hosts.at(host)->Find("/srv/myapp/current")->link_target == "releases/100");
    CHECK(w.Ran(host, "ln -sfn -- releases/100 /srv/myapp/.current.0123abcd") == 1);
    CHECK(w.Ran(host, "mv -T -- /srv/myapp/.current.0123abcd /srv/myapp/current") == 1);
    CHECK(w.Ran(host, "cd /srv/myapp/releases/100 && docker compose -p myapp") >= 1);
    CHECK(w.Ran(host, "\"event\":\"rollback\"") == 1);
    CHECK(w.Ran(host, "\"result\":\"ok\"") == 1);
    CHECK(w.Ran(host, "mkdir -- /srv/myapp/.deployctl/lock") == 1);
  }
}

TEST_CASE("rollback.yml puts back what was current on every host when one health check fails",
          "[rollback][workflow]") {
  Workflow w;
  w.hosts["web1"]->OnCommand("deployctl-healthcheck", {0, kHealthy, ""});
  w.hosts["web2"]->OnCommand("deployctl-healthcheck",
                             {1, "tool=curl\nattempts=5\nelapsed=5\nstatus=HTTP 503\n", ""});
  const deployctl::RunSummary summary = w.Run();
  INFO(w.out.str());
  REQUIRE(summary.exit_code() == deployctl::ExitCode::kTaskFailed);
  REQUIRE_FALSE(summary.failures.empty());
  CHECK(summary.failures.front().msg.find("put back release 200") != std::string::npos);
  for (const char* host : {"web1", "web2"}) {
    CHECK(w.Status(host, "200") == "live");
    CHECK(w.Status(host, "100") == "good");  // tried, not bad
    CHECK(w.hosts.at(host)->Find("/srv/myapp/current")->link_target == "releases/200");
    CHECK(w.Ran(host, "ln -sfn -- releases/100 ") == 1);  // switched...
    CHECK(w.Ran(host, "ln -sfn -- releases/200 ") == 1);  // ...and put back
    CHECK(w.Ran(host, "cd /srv/myapp/releases/200 && docker compose -p myapp") >= 1);
    CHECK(w.Ran(host, "\"result\":\"failed\"") == 1);
  }
}

TEST_CASE("rollback.yml --to a release that does not exist changes nothing and exits 4",
          "[rollback][workflow]") {
  Workflow w;
  const deployctl::RunSummary summary = w.Run("150");
  INFO(w.out.str());
  CHECK(summary.exit_code() == deployctl::ExitCode::kRefused);
  REQUIRE_FALSE(summary.failures.empty());
  // Hosts fail in parallel: find web1's own failure (web2 was stopped by it).
  std::string web1_msg;
  for (const auto& f : summary.failures) {
    if (f.host == "web1") web1_msg = f.msg;
  }
  CHECK(web1_msg ==
        "release 150 of app 'myapp' does not exist on web1; releases you can go back to: 100");
  for (const char* host : {"web1", "web2"}) {
    CHECK(w.Ran(host, "ln -sfn") == 0);
    CHECK(w.Ran(host, "docker compose -p") == 0);
    CHECK(w.Status(host, "200") == "live");
    CHECK(w.Status(host, "100") == "good");
  }
}
