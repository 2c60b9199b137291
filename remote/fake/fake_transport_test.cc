#include "remote/fake/fake_transport.h"

#include <catch2/catch.hpp>

using deployctl::remote::Command;
using deployctl::remote::FakeTransport;
using Strings = std::vector<std::string>;

TEST_CASE("FakeTransport answers with the first matching rule", "[fake_transport]") {
  FakeTransport host;
  host.OnCommand("systemctl", {3, "", "inactive"}, 1);
  host.OnCommandMatching("^systemctl (is-active|status)", {0, "active\n", ""});
  CHECK(host.Run(Command::Argv({"systemctl", "is-active", "app"})).exit_status == 3);
  CHECK(host.Run(Command::Argv({"systemctl", "is-active", "app"})).out == "active\n");
  CHECK(host.Run(Command::Argv({"true"})).exit_status == 0);
  CHECK(host.commands() == Strings{"systemctl is-active app", "systemctl is-active app", "true"});
}

TEST_CASE("FakeTransport keeps files for Stat, ReadFile and WriteFile", "[fake_transport]") {
  FakeTransport host;
  host.AddFile("/srv/app/shared/.env", "A=1", 0600);
  host.AddLink("/srv/app/.env", "shared/.env");
  CHECK(host.Stat("/srv/app").is_dir);  // implied by what is under it
  CHECK(host.Stat("/").is_dir);
  CHECK_FALSE(host.Stat("/srv/ap").exists);
  CHECK(host.Stat("/srv/app/.env").is_link);
  CHECK(host.ReadFile("/srv/app/.env") == "A=1");
  CHECK(host.Stat("/srv/app/shared/.env").mode == 0600);

  host.WriteFile("/srv/app/new", "x", 0640);
  CHECK(host.ReadFile("/srv/app/new") == "x");
  CHECK(host.log() == Strings{"write: /srv/app/new 0640"});
  CHECK_THROWS_WITH(host.WriteFile("/nope/file", "x", 0644),
                    "/nope/file: No such file or directory");
}
