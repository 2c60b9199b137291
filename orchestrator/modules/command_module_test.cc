#include "orchestrator/modules/command_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::CommandModule;
using deployctl::ShellModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

TEST_CASE("command splits free-form text like sh, without expansion", "[modules][command]") {
  ModuleHarness h;
  h.host.OnCommand("echo", {0, "a\nb\n", ""});
  auto r = h.Run(CommandModule(), {{"_raw_params", "echo 'hello world' $HOME \"a \\\"b\\\"\""}});
  CHECK(h.host.commands() == Strings{"echo 'hello world' '$HOME' 'a \"b\"'"});
  CHECK_FALSE(h.host.runs()[0].read_only);
  CHECK(r.changed);
  CHECK_FALSE(r.failed);
  CHECK(r.data["cmd"] == Value({"echo", "hello world", "$HOME", "a \"b\""}));
  CHECK(r.data["rc"] == 0);
  CHECK(r.data["stdout"] == "a\nb");
  CHECK(r.data["stdout_lines"] == Value({"a", "b"}));
  CHECK(r.data["stderr_lines"] == Value::array());
  CHECK(r.data["changed"] == true);
}

TEST_CASE("command takes argv and cmd, and runs in chdir", "[modules][command]") {
  ModuleHarness h;
  h.Run(CommandModule(), {{"argv", {"ls", "-l", "my dir"}}, {"chdir", "/srv/app"}});
  h.Run(CommandModule(), {{"cmd", "alembic upgrade head"}});
  CHECK(h.host.commands() == Strings{"cd /srv/app && ls -l 'my dir'", "alembic upgrade head"});
}

TEST_CASE("command with creates is skipped once the path exists", "[modules][command]") {
  ModuleHarness h;
  const Value args = {{"_raw_params", "tar xf app.tar"}, {"chdir", "/srv"}, {"creates", "app"}};
  auto first = h.Run(CommandModule(), args);
  CHECK(first.changed);
  CHECK(h.host.commands() == Strings{"cd /srv && tar xf app.tar"});

  h.host.AddDir("/srv/app");  // what the command made
  h.host.ClearLog();
  auto second = h.Run(CommandModule(), args);
  CHECK_FALSE(second.changed);
  CHECK_FALSE(second.failed);
  CHECK(second.msg == "skipped, since app exists");
  CHECK(second.data["rc"] == 0);
  CHECK(h.host.commands().empty());
}

TEST_CASE("command with removes runs only while the path exists", "[modules][command]") {
  ModuleHarness h;
  const Value args = {{"argv", {"rm", "/tmp/lock"}}, {"removes", "/tmp/lock"}};
  auto skipped = h.Run(CommandModule(), args);
  CHECK_FALSE(skipped.changed);
  CHECK(skipped.msg == "skipped, since /tmp/lock does not exist");
  CHECK(h.host.commands().empty());

  h.host.AddFile("/tmp/lock", "");
  CHECK(h.Run(CommandModule(), args).changed);
  CHECK(h.host.commands() == Strings{"rm /tmp/lock"});
}

TEST_CASE("command fails on a non-zero exit with rc and stderr", "[modules][command]") {
  ModuleHarness h;
  h.host.OnCommand("false", {2, "", "boom\n"});
  auto r = h.Run(CommandModule(), {{"_raw_params", "false"}});
  CHECK(r.failed);
  CHECK(r.changed);
  CHECK(r.msg == "non-zero return code (rc=2): boom");
  CHECK(r.data["rc"] == 2);
  CHECK(r.data["stderr"] == "boom");
}

TEST_CASE("command sends stdin, with a newline unless told not to", "[modules][command]") {
  ModuleHarness h;
  h.Run(CommandModule(), {{"_raw_params", "cat"}, {"stdin", "hello"}});
  h.Run(CommandModule(), {{"_raw_params", "cat"}, {"stdin", "hello"}, {"stdin_add_newline", "no"}});
  CHECK(h.host.runs()[0].stdin_data == "hello\n");
  CHECK(h.host.runs()[1].stdin_data == "hello");
}

TEST_CASE("command rejects bad arguments with the module's name", "[modules][command]") {
  ModuleHarness h;
  CHECK(h.Run(CommandModule(), {{"_raw_params", "echo 'oops"}}).msg ==
        "command: cannot split the command line: unterminated single quote");
  CHECK(h.Run(CommandModule(), {{"cmd", "ls"}, {"argv", {"ls"}}}).msg ==
        "command: give the command as a string or as 'argv', not both");
  CHECK(h.Run(CommandModule(), Value::object()).msg == "command: no command given");
  CHECK(h.Run(CommandModule(), {{"argv", "ls"}}).msg ==
        "command: argument 'argv' must be a list of strings, got 'ls'");
  CHECK(h.host.commands().empty());
}

TEST_CASE("command in --check runs nothing and says what it would run", "[modules][command]") {
  ModuleHarness h;
  auto r = h.Check(CommandModule(), {{"_raw_params", "systemctl restart app"}});
  CHECK(h.host.commands().empty());
  CHECK(h.plan == Strings{"run: systemctl restart app"});
  CHECK(r.changed);
  CHECK_FALSE(r.failed);
  CHECK(r.msg == "would run: systemctl restart app");
}

TEST_CASE("shell runs its string with sh -c", "[modules][shell]") {
  ModuleHarness h;
  h.host.OnCommand("wc -c", {0, "5\n", ""});
  auto r = h.Run(ShellModule(), {{"_raw_params", "echo $HOME | wc -c"}, {"chdir", "/tmp"}});
  CHECK(h.host.commands() == Strings{"cd /tmp && sh -c 'echo $HOME | wc -c'"});
  CHECK(r.changed);
  CHECK(r.data["cmd"] == "echo $HOME | wc -c");
  CHECK(r.data["stdout"] == "5");
}

TEST_CASE("shell honours creates and reports failures", "[modules][shell]") {
  ModuleHarness h;
  h.host.AddFile("/etc/done", "");
  auto skipped = h.Run(ShellModule(), {{"cmd", "make install"}, {"creates", "/etc/done"}});
  CHECK_FALSE(skipped.changed);
  CHECK(h.host.commands().empty());

  h.host.OnCommand("exit 3", {3, "", ""});
  auto failed = h.Run(ShellModule(), {{"cmd", "exit 3"}});
  CHECK(failed.failed);
  CHECK(failed.msg == "non-zero return code (rc=3)");
  CHECK(h.Run(ShellModule(), {{"cmd", "  "}}).msg == "shell: no command given");
}
