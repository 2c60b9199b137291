#include "remote/check_mode_transport.h"

#include <catch2/catch.hpp>

namespace deployctl::remote {
namespace {

// Records what reached the real host.
class RecordingTransport : public Transport {
 public:
  CommandResult Run(const Command& command) override {
    calls.push_back("run " + RenderCommand(command));
    return {0, "real output\n", ""};
  }
  void WriteFile(const std::string& path, const std::string&, unsigned) override {
    calls.push_back("write " + path);
  }
  void UploadFile(const std::string& local, const std::string& path, unsigned) override {
    calls.push_back("upload " + local + " " + path);
  }
  std::optional<std::string> ReadFile(const std::string& path) override {
    calls.push_back("read " + path);
    return "content";
  }
  RemoteFileInfo Stat(const std::string& path) override {
    calls.push_back("stat " + path);
    RemoteFileInfo info;
    info.exists = true;
    return info;
  }
  const std::string& host() const override { return name; }

  std::string name = "web1";
  std::vector<std::string> calls;
};

TEST_CASE("Check mode runs read-only probes for real", "[check]") {
  RecordingTransport real;
  CheckModeTransport check(real);
  Command probe = Command::Argv({"readlink", "/srv/app/current"});
  probe.read_only = true;
  CommandResult result = check.Run(probe);
  CHECK(result.out == "real output\n");
  CHECK(real.calls == std::vector<std::string>{"run readlink /srv/app/current"});
  CHECK(check.plan().empty());
}

TEST_CASE("Check mode records changes instead of making them", "[check]") {
  RecordingTransport real;
  CheckModeTransport check(real);
  Command migrate = Command::Argv({"rake", "db:migrate"});
  migrate.cwd = "/srv/app";
  CommandResult result = check.Run(migrate);
  CHECK(result.exit_status == 0);
  CHECK(result.out.empty());
  CHECK(result.err.empty());

  Command load = Command::Argv({"psql", "app"});
  load.stdin_data = "select 1;";
  check.Run(load);
  check.WriteFile("/etc/app.conf", "key=value\n", 0644);
  check.UploadFile("build/app.tar", "/srv/app.tar", 0600);

  CHECK(real.calls.empty());
  CHECK(check.plan() == std::vector<std::string>{
                            "run: cd /srv/app && rake db:migrate",
                            "run: psql app (9 bytes on stdin)",
                            "write: /etc/app.conf (10 bytes, mode 0644)",
                            "upload: build/app.tar -> /srv/app.tar (mode 0600)",
                        });
}

TEST_CASE("Check mode reads files and stats for real", "[check]") {
  RecordingTransport real;
  CheckModeTransport check(real);
  CHECK(check.ReadFile("/etc/app.conf") == std::optional<std::string>("content"));
  CHECK(check.Stat("/srv").exists);
  CHECK(check.host() == "web1");
  CHECK(real.calls == std::vector<std::string>{"read /etc/app.conf", "stat /srv"});
}

}  // namespace
}  // namespace deployctl::remote
