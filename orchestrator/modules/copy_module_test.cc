#include "orchestrator/modules/copy_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/core/sha256.h"
#include "orchestrator/modules/module_test_util.h"

using deployctl::CopyModule;
using deployctl::Sha256Hex;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using deployctl::testing::TempDir;
using Strings = std::vector<std::string>;

TEST_CASE("copy content writes a new file once, then reports ok", "[modules][copy]") {
  ModuleHarness h;
  h.host.AddDir("/etc/app");
  const Value args = {{"content", "port=8080\n"}, {"dest", "/etc/app/app.conf"}};
  auto first = h.Run(CopyModule(), args);
  CHECK(h.host.log() == Strings{"write: /etc/app/app.conf 0644"});
  CHECK(h.host.Find("/etc/app/app.conf")->content == "port=8080\n");
  CHECK(first.changed);
  CHECK(first.msg == "created /etc/app/app.conf");
  CHECK(first.data == Value{{"dest", "/etc/app/app.conf"},
                            {"checksum", Sha256Hex("port=8080\n")},
                            {"size", 10},
                            {"mode", "0644"},
                            {"changed", true}});

  h.host.ClearLog();
  auto second = h.Run(CopyModule(), args);
  CHECK(h.host.log().empty());  // small files are compared by reading them
  CHECK_FALSE(second.changed);
  CHECK(second.msg == "/etc/app/app.conf is up to date");
}

TEST_CASE("copy rewrites changed content and keeps the file's mode", "[modules][copy]") {
  ModuleHarness h;
  h.host.AddFile("/etc/app/.env", "A=1\n", 0600);
  auto r = h.Run(CopyModule(), {{"content", "A=2\n"}, {"dest", "/etc/app/.env"}});
  CHECK(h.host.log() == Strings{"write: /etc/app/.env 0600"});
  CHECK(r.msg == "updated /etc/app/.env");
}

TEST_CASE("copy with the same content only fixes the mode", "[modules][copy]") {
  ModuleHarness h;
  h.host.AddFile("/etc/app/.env", "A=1\n", 0644);
  auto r = h.Run(CopyModule(), {{"content", "A=1\n"}, {"dest", "/etc/app/.env"}, {"mode", "0600"}});
  CHECK(h.host.log() == Strings{"run: chmod 0600 -- /etc/app/.env"});
  CHECK(r.changed);
  CHECK(r.msg == "changed /etc/app/.env: mode 0644 -> 0600");
  CHECK(r.data["mode"] == "0600");
}

TEST_CASE("copy src uploads a local file found under files/", "[modules][copy]") {
  TempDir project;
  const std::string local = project.Write("files/nginx.conf", "server {}\n");
  ModuleHarness h;
  h.project_dir = project.path();
  h.host.AddDir("/etc/nginx");
  const Value args = {{"src", "nginx.conf"}, {"dest", "/etc/nginx/"}, {"mode", 0640}};
  auto first = h.Run(CopyModule(), args);
  CHECK(h.host.log() == Strings{"upload: " + local + " -> /etc/nginx/nginx.conf 0640"});
  CHECK(first.data["dest"] == "/etc/nginx/nginx.conf");
  CHECK(first.data["checksum"] == Sha256Hex("server {}\n"));

  h.host.ClearLog();
  CHECK_FALSE(h.Run(CopyModule(), args).changed);
  CHECK(h.host.log().empty());
}

TEST_CASE("copy into an existing directory uses the source's name", "[modules][copy]") {
  TempDir project;
  const std::string local = project.Write("app.ini", "x");
  ModuleHarness h;
  h.project_dir = project.path();
  h.host.AddDir("/srv/app/config");
  auto r = h.Run(CopyModule(), {{"src", "app.ini"}, {"dest", "/srv/app/config"}});
  CHECK(h.host.log() == Strings{"upload: " + local + " -> /srv/app/config/app.ini 0644"});
  CHECK(r.data["dest"] == "/srv/app/config/app.ini");
}

TEST_CASE("copy compares big files with a read-only sha256sum", "[modules][copy]") {
  ModuleHarness h;
  const std::string big(2 << 20, 'z');
  h.host.AddFile("/srv/blob", big);
  h.host.OnCommand("sha256sum", {0, Sha256Hex(big) + "  /srv/blob\n", ""});
  auto r = h.Run(CopyModule(), {{"content", big}, {"dest", "/srv/blob"}});
  CHECK(h.host.log() == Strings{"run: sha256sum -- /srv/blob"});
  CHECK(h.host.runs()[0].read_only);
  CHECK_FALSE(r.changed);
}

TEST_CASE("copy replaces a link at dest instead of writing through it", "[modules][copy]") {
  ModuleHarness h;
  h.host.AddFile("/srv/shared/.env", "A=1\n");
  h.host.AddLink("/srv/app/.env", "/srv/shared/.env");
  auto r = h.Run(CopyModule(), {{"content", "A=1\n"}, {"dest", "/srv/app/.env"}});
  CHECK(r.changed);
  CHECK(h.host.log() == Strings{"write: /srv/app/.env 0644"});
}

TEST_CASE("copy with force: false leaves an existing file alone", "[modules][copy]") {
  ModuleHarness h;
  h.host.AddFile("/etc/app.conf", "mine");
  auto r =
      h.Run(CopyModule(), {{"content", "theirs"}, {"dest", "/etc/app.conf"}, {"force", false}});
  CHECK_FALSE(r.changed);
  CHECK(h.host.log().empty());
}

TEST_CASE("copy fails clearly", "[modules][copy]") {
  ModuleHarness h;
  h.project_dir = "/proj";
  CHECK(h.Run(CopyModule(), {{"content", "x"}, {"dest", "/etc/a"}, {"mode", "rw"}}).msg ==
        "copy: argument 'mode' must be an octal string like '0644', got 'rw'");
  CHECK(h.Run(CopyModule(), {{"dest", "/etc/a"}}).msg ==
        "copy: give exactly one of 'src' and 'content'");
  CHECK(h.Run(CopyModule(), {{"src", "a.conf"}, {"dest", "/etc/a"}}).msg ==
        "copy: src 'a.conf' not found (looked in /proj/files/a.conf, /proj/a.conf)");
  CHECK(h.Run(CopyModule(), {{"content", "x"}, {"dest", "/etc/"}}).msg ==
        "dest '/etc/' is a directory; give a file path");
  h.host.AddFile("/opt/file", "");
  CHECK(h.Run(CopyModule(), {{"content", "x"}, {"dest", "/opt/file/a.conf"}}).msg ==
        "destination directory '/opt/file' does not exist");
  h.host.AddDir("/etc");
  h.host.FailWrites("No space left on device");
  CHECK(h.Run(CopyModule(), {{"content", "x"}, {"dest", "/etc/a"}}).msg ==
        "cannot write '/etc/a': No space left on device");
}

TEST_CASE("copy in --check writes nothing and says 'would'", "[modules][copy]") {
  ModuleHarness h;
  h.host.AddDir("/etc/app");
  auto r = h.Check(CopyModule(), {{"content", "abc"}, {"dest", "/etc/app/a.conf"}});
  CHECK(h.host.Find("/etc/app/a.conf") == nullptr);
  CHECK(h.plan == Strings{"write: /etc/app/a.conf (3 bytes, mode 0644)"});
  CHECK(r.changed);
  CHECK(r.msg == "would create /etc/app/a.conf");
}
