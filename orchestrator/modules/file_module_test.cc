#include "orchestrator/modules/file_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/modules/module_test_util.h"

using deployctl::FileModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

TEST_CASE("file state=directory creates once, then reports ok", "[modules][file]") {
  ModuleHarness h;
  const Value args = {{"path", "/srv/app/shared"}, {"state", "directory"}};
  auto first = h.Run(FileModule(), args);
  CHECK(h.host.commands() == Strings{"mkdir -p -- /srv/app/shared"});
  CHECK(first.changed);
  CHECK(first.msg == "created directory /srv/app/shared");
  CHECK(first.data ==
        Value{{"path", "/srv/app/shared"}, {"state", "directory"}, {"changed", true}});

  h.host.AddDir("/srv/app/shared");
  h.host.ClearLog();
  auto second = h.Run(FileModule(), args);
  CHECK(h.host.commands().empty());
  CHECK_FALSE(second.changed);
  CHECK(second.msg == "/srv/app/shared is a directory");
}

TEST_CASE("file state=directory sets the mode only when it differs", "[modules][file]") {
  ModuleHarness h;
  const Value args = {{"path", "/srv/app"}, {"state", "directory"}, {"mode", "0750"}};
  h.Run(FileModule(), args);
  CHECK(h.host.commands() == Strings{"mkdir -p -- /srv/app", "chmod 0750 -- /srv/app"});

  h.host.AddDir("/srv/app", 0755);
  h.host.ClearLog();
  auto fix = h.Run(FileModule(), args);
  CHECK(h.host.commands() == Strings{"chmod 0750 -- /srv/app"});
  CHECK(fix.changed);
  CHECK(fix.msg == "changed /srv/app: mode 0755 -> 0750");

  h.host.AddDir("/srv/app", 0750);
  h.host.ClearLog();
  CHECK_FALSE(h.Run(FileModule(), args).changed);
  CHECK(h.host.commands().empty());
}

TEST_CASE("file state=directory refuses a file in the way", "[modules][file]") {
  ModuleHarness h;
  h.host.AddFile("/srv/app", "x");
  auto r = h.Run(FileModule(), {{"path", "/srv/app"}, {"state", "directory"}});
  CHECK(r.failed);
  CHECK(r.msg == "'/srv/app' exists and is not a directory");
  CHECK(h.host.commands().empty());
}

TEST_CASE("file state=link creates a missing link, then reports ok", "[modules][file]") {
  ModuleHarness h;
  h.host.AddDir("/srv/app/releases/1");
  const Value args = {{"path", "/srv/app/current"}, {"src", "releases/1"}, {"state", "link"}};
  auto first = h.Run(FileModule(), args);
  CHECK(h.host.commands() == Strings{"ln -sfn -- releases/1 /srv/app/current"});
  CHECK(first.changed);
  CHECK(first.msg == "linked /srv/app/current -> releases/1");

  h.host.AddLink("/srv/app/current", "releases/1");
  h.host.ClearLog();
  auto second = h.Run(FileModule(), args);
  CHECK_FALSE(second.changed);
  CHECK(h.host.commands().empty());
}

TEST_CASE("file state=link replaces a link that points elsewhere by rename", "[modules][file]") {
  ModuleHarness h;
  h.host.AddDir("/srv/app/releases/2");
  h.host.AddLink("/srv/app/current", "releases/1");
  auto r =
      h.Run(FileModule(), {{"dest", "/srv/app/current"}, {"src", "releases/2"}, {"state", "link"}});
  CHECK(h.host.commands() == Strings{"ln -sfn -- releases/2 /srv/app/.current.deployctl-tmp",
                                     "mv -fT -- /srv/app/.current.deployctl-tmp /srv/app/current"});
  CHECK(r.changed);
  CHECK(r.msg == "linked /srv/app/current -> releases/2 (was releases/1)");
}

TEST_CASE("file state=link cleans up when the rename fails", "[modules][file]") {
  ModuleHarness h;
  h.host.AddDir("/srv/releases/2");
  h.host.AddLink("/srv/current", "releases/1");
  h.host.OnCommand("mv -fT", {1, "", "mv: cannot move: Permission denied\n"});
  auto r =
      h.Run(FileModule(), {{"path", "/srv/current"}, {"src", "releases/2"}, {"state", "link"}});
  CHECK(r.failed);
  CHECK(r.msg ==
        "mv '/srv/.current.deployctl-tmp' '/srv/current' failed (rc=1): mv: cannot move: "
        "Permission denied");
  CHECK(h.host.commands().back() == "rm -f -- /srv/.current.deployctl-tmp");
}

TEST_CASE("file state=link needs force to replace a file or to dangle", "[modules][file]") {
  ModuleHarness h;
  h.host.AddFile("/srv/app/.env", "A=1");
  h.host.AddFile("/srv/shared/.env", "A=2");
  Value args = {{"path", "/srv/app/.env"}, {"src", "/srv/shared/.env"}, {"state", "link"}};
  auto refused = h.Run(FileModule(), args);
  CHECK(refused.failed);
  CHECK(refused.msg == "'/srv/app/.env' exists and is not a link; set force: true to replace it");

  args["force"] = true;
  CHECK(h.Run(FileModule(), args).changed);
  CHECK(h.host.commands() == Strings{"ln -sfn -- /srv/shared/.env /srv/app/..env.deployctl-tmp",
                                     "mv -fT -- /srv/app/..env.deployctl-tmp /srv/app/.env"});

  auto dangling = h.Run(FileModule(), {{"path", "/srv/x"}, {"src", "nowhere"}, {"state", "link"}});
  CHECK(dangling.msg == "link target 'nowhere' does not exist; set force: true to link anyway");

  h.host.AddDir("/srv/app/dir");
  auto dir = h.Run(FileModule(),
                   {{"path", "/srv/app/dir"}, {"src", "/srv"}, {"state", "link"}, {"force", true}});
  CHECK(dir.msg == "'/srv/app/dir' is a directory; not replacing it with a link");
}

TEST_CASE("file state=absent removes only what exists", "[modules][file]") {
  ModuleHarness h;
  const Value args = {{"path", "/srv/app/releases/1"}, {"state", "absent"}};
  auto nothing = h.Run(FileModule(), args);
  CHECK_FALSE(nothing.changed);
  CHECK(nothing.msg == "/srv/app/releases/1 is already absent");
  CHECK(h.host.commands().empty());

  h.host.AddDir("/srv/app/releases/1");
  auto removed = h.Run(FileModule(), args);
  CHECK(removed.changed);
  CHECK(h.host.commands() == Strings{"rm -rf -- /srv/app/releases/1"});

  CHECK(h.Run(FileModule(), {{"path", "/"}, {"state", "absent"}}).msg ==
        "file: refusing to remove '/'");
}

TEST_CASE("file state=touch is always a change", "[modules][file]") {
  ModuleHarness h;
  auto created = h.Run(FileModule(), {{"path", "/tmp/flag"}, {"state", "touch"}, {"mode", "0600"}});
  CHECK(created.changed);
  CHECK(h.host.commands() == Strings{"touch -- /tmp/flag", "chmod 0600 -- /tmp/flag"});

  h.host.AddFile("/tmp/flag", "", 0600);
  h.host.ClearLog();
  auto again = h.Run(FileModule(), {{"path", "/tmp/flag"}, {"state", "touch"}, {"mode", "0600"}});
  CHECK(again.changed);
  CHECK(again.msg == "touched /tmp/flag");
  CHECK(h.host.commands() == Strings{"touch -- /tmp/flag"});
}

TEST_CASE("file without state fixes an existing path's mode", "[modules][file]") {
  ModuleHarness h;
  h.host.AddFile("/srv/bin/run", "#!/bin/sh\n", 0644);
  auto r = h.Run(FileModule(), {{"path", "/srv/bin/run"}, {"mode", "u+x,g+x"}});
  CHECK(h.host.commands() == Strings{"chmod 0754 -- /srv/bin/run"});
  CHECK(r.msg == "changed /srv/bin/run: mode 0644 -> 0754");

  h.host.AddDir("/srv/data", 0700);
  h.host.ClearLog();
  CHECK_FALSE(h.Run(FileModule(), {{"path", "/srv/data"}, {"mode", 0700}}).changed);
  CHECK(h.host.commands().empty());

  auto missing = h.Run(FileModule(), {{"path", "/srv/nope"}, {"state", "file"}});
  CHECK(missing.failed);
  CHECK(missing.msg ==
        "'/srv/nope' does not exist (state=file does not create files; use state=touch or copy)");
  CHECK(h.Run(FileModule(), {{"path", "/srv/data"}, {"state", "file"}}).msg ==
        "'/srv/data' is a directory, not a file");
}

TEST_CASE("file changes owner and group only when they differ", "[modules][file]") {
  ModuleHarness h;
  h.host.AddFile("/srv/app/.env", "", 0600);
  h.host.OnCommand("stat -L", {0, "root root 0 0\n", ""}, 1);
  h.host.OnCommand("stat -L", {0, "deploy www-data 1000 33\n", ""});
  const Value args = {{"path", "/srv/app/.env"}, {"owner", "deploy"}, {"group", "33"}};
  auto first = h.Run(FileModule(), args);
  CHECK(h.host.commands() ==
        Strings{"stat -L -c '%U %G %u %g' -- /srv/app/.env", "chown deploy:33 -- /srv/app/.env"});
  CHECK(h.host.runs()[0].read_only);
  CHECK(first.msg == "changed /srv/app/.env: owner root -> deploy, group root -> 33");

  h.host.ClearLog();
  CHECK_FALSE(h.Run(FileModule(), args).changed);
  CHECK(h.host.commands() == Strings{"stat -L -c '%U %G %u %g' -- /srv/app/.env"});
}

TEST_CASE("file rejects bad arguments with clear messages", "[modules][file]") {
  ModuleHarness h;
  CHECK(h.Run(FileModule(), {{"path", "/x"}, {"mode", "rw"}}).msg ==
        "file: argument 'mode' must be an octal string like '0644', got 'rw'");
  CHECK(h.Run(FileModule(), {{"path", "/x"}, {"state", "dir"}}).msg ==
        "file: argument 'state' must be one of file, directory, link, absent, touch, got 'dir'");
  CHECK(h.Run(FileModule(), {{"path", "/x"}, {"dest", "/y"}}).msg ==
        "file: arguments 'path' and 'dest' are aliases; give only one");
  CHECK(h.Run(FileModule(), {{"state", "directory"}}).msg == "file: argument 'path' is required");
  CHECK(h.Run(FileModule(), {{"path", "/x"}, {"state", "link"}}).msg ==
        "file: argument 'src' is required");
  CHECK(h.Run(FileModule(), {{"path", "/x"}, {"src", "/y"}}).msg ==
        "file: argument 'src' is only for state=link");
  CHECK(h.host.commands().empty());
}

TEST_CASE("file in --check records the changes and says 'would'", "[modules][file]") {
  ModuleHarness h;
  auto dir =
      h.Check(FileModule(), {{"path", "/srv/app"}, {"state", "directory"}, {"mode", "0750"}});
  CHECK(h.host.commands().empty());
  CHECK(h.plan == Strings{"run: mkdir -p -- /srv/app", "run: chmod 0750 -- /srv/app"});
  CHECK(dir.changed);
  CHECK(dir.msg == "would create directory /srv/app (mode 0750)");

  // The release an earlier task would create is not there in --check.
  auto link = h.Check(FileModule(),
                      {{"path", "/srv/app/current"}, {"src", "releases/9"}, {"state", "link"}});
  CHECK_FALSE(link.failed);
  CHECK(link.msg == "would link /srv/app/current -> releases/9");
}
