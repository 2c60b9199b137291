#include "remote/local/local_transport.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace deployctl::remote {
namespace {

namespace fs = std::filesystem;

using deployctl::testing::TempDir;

std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_CASE("Local: exit status, stdout and stderr come back separately", "[local]") {
  LocalTransport local("localhost");
  CommandResult result = local.Run(Command::Shell("echo out; echo err >&2; exit 3"));
  CHECK(result.exit_status == 3);
  CHECK(result.out == "out\n");
  CHECK(result.err == "err\n");
  CHECK_FALSE(result.ok());
  CHECK(local.host() == "localhost");
}

TEST_CASE("Local: stdin is sent, then EOF", "[local]") {
  LocalTransport local("localhost");
  Command command = Command::Argv({"wc", "-c"});
  command.stdin_data = std::string(100000, 'x');
  CHECK(local.Run(command).out == "100000\n");
  CHECK(local.Run(Command::Argv({"cat"})).out.empty());  // no stdin: EOF at once
}

TEST_CASE("Local: big stdin and big outputs on both streams do not deadlock", "[local]") {
  LocalTransport local("localhost");
  Command command = Command::Shell("head -c 5000000 /dev/zero >&2 & cat; wait");
  command.stdin_data = std::string(20'000'000, 'y');
  CommandResult result = local.Run(command);
  CHECK(result.exit_status == 0);
  CHECK(result.out.size() == 20'000'000);
  CHECK(result.err.size() == 5'000'000);
}

TEST_CASE("Local: a command that ignores its stdin does not kill us", "[local]") {
  LocalTransport local("localhost");
  Command command = Command::Argv({"true"});
  command.stdin_data = std::string(10'000'000, 'z');
  CHECK(local.Run(command).exit_status == 0);
}

TEST_CASE("Local: a timeout kills the whole process group", "[local]") {
  LocalTransport local("localhost");
  Command command = Command::Shell("echo started; sleep 30 & sleep 30; echo never");
  command.timeout_seconds = 1;
  auto start = std::chrono::steady_clock::now();
  CommandResult result = local.Run(command);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(result.exit_status == -1);
  CHECK(result.out == "started\n");
  CHECK(result.err == "timed out after 1 s");
  CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("Local: cwd and env apply", "[local]") {
  TempDir dir;
  LocalTransport local("localhost");
  Command command = Command::Shell("pwd; echo \"$GREETING\"");
  command.cwd = dir.path();
  command.env = {{"GREETING", "hello world"}};
  CHECK(local.Run(command).out == dir.path() + "\nhello world\n");
}

TEST_CASE("Local: WriteFile replaces the file atomically with the mode", "[local]") {
  TempDir dir;
  LocalTransport local("localhost");
  const std::string path = dir / "app.conf";
  local.WriteFile(path, "one\n", 0640);
  CHECK(local.ReadFile(path) == std::optional<std::string>("one\n"));
  CHECK(local.Stat(path).mode == 0640);
  auto inode_before = local.Run(Command::Argv({"stat", "-c", "%i", path})).out;
  local.WriteFile(path, "two\n", 0600);
  auto inode_after = local.Run(Command::Argv({"stat", "-c", "%i", path})).out;
  CHECK(local.ReadFile(path) == std::optional<std::string>("two\n"));
  CHECK(local.Stat(path).mode == 0600);
  CHECK(inode_before != inode_after);  // a new file renamed over, not rewritten
  CHECK(Entries(dir.path()) == std::vector<std::string>{"app.conf"});
}

TEST_CASE("Local: WriteFile errors name the host and path, and leave nothing", "[local]") {
  TempDir dir;
  LocalTransport local("localhost");
  const std::string path = dir / "missing-dir/app.conf";
  try {
    local.WriteFile(path, "x", 0644);
    FAIL("no error");
  } catch (const RemoteFileError& e) {
    CHECK(std::string(e.what()) ==
          "localhost: cannot write " + path + ": No such file or directory");
  }
  fs::create_directory(dir / "a-dir");
  CHECK_THROWS_AS(local.WriteFile(dir / "a-dir", "x", 0644), RemoteFileError);
  CHECK(Entries(dir.path()) == std::vector<std::string>{"a-dir"});
}

TEST_CASE("Local: UploadFile copies the file with the mode", "[local]") {
  TempDir dir;
  LocalTransport local("localhost");
  std::string content;
  for (int i = 0; i < 300000; ++i) content += std::to_string(i) + "\n";
  { std::ofstream(dir / "source", std::ios::binary) << content; }
  local.UploadFile(dir / "source", dir / "target", 0755);
  CHECK(local.ReadFile(dir / "target") == content);
  CHECK(local.Stat(dir / "target").mode == 0755);
  CHECK_THROWS_AS(local.UploadFile(dir / "nope", dir / "target", 0644), RemoteFileError);
}

TEST_CASE("Local: ReadFile of a missing file is nullopt", "[local]") {
  LocalTransport local("localhost");
  CHECK_FALSE(local.ReadFile("/nonexistent/deployctl/file").has_value());
}

TEST_CASE("Local: Stat reports files, directories and links", "[local]") {
  TempDir dir;
  LocalTransport local("localhost");
  local.WriteFile(dir / "file", "12345", 0644);
  fs::create_symlink("file", dir / "link");
  RemoteFileInfo file = local.Stat(dir / "file");
  CHECK(file.exists);
  CHECK(file.is_regular);
  CHECK(file.size == 5);
  RemoteFileInfo link = local.Stat(dir / "link");
  CHECK(link.is_link);
  CHECK_FALSE(link.is_regular);
  CHECK(link.link_target == "file");
  CHECK(local.Stat(dir.path()).is_dir);
  CHECK_FALSE(local.Stat(dir / "missing").exists);
}

TEST_CASE("Local: a forward is the port itself", "[local]") {
  LocalTransport local("localhost");
  CHECK(local.OpenLocalForward("127.0.0.1", 5432) == 5432);
}

}  // namespace
}  // namespace deployctl::remote
