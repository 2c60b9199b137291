#include "remote/fault/fault_transport.h"

#include <catch2/catch.hpp>

#include "remote/fake/fake_transport.h"

using deployctl::remote::Command;
using deployctl::remote::FakeTransport;
using deployctl::remote::RemoteFileError;
using deployctl::remote::UnreachableError;
using deployctl::remote::fault::Effect;
using deployctl::remote::fault::Fault;
using deployctl::remote::fault::FaultTransport;
using deployctl::remote::fault::Op;

TEST_CASE("a fault transport without faults passes every call through", "[fault]") {
  FakeTransport fake("web1");
  fake.AddDir("/srv");
  fake.OnCommand("echo", {0, "hi\n", ""});
  FaultTransport t(fake);
  CHECK(t.host() == "web1");
  CHECK(t.Run(Command::Argv({"echo", "hi"})).out == "hi\n");
  t.WriteFile("/srv/a", "x", 0600);
  CHECK(t.ReadFile("/srv/a") == "x");
  CHECK(t.Stat("/srv/a").is_regular);
  CHECK(fake.log() == std::vector<std::string>{"run: echo hi", "write: /srv/a 0600"});
  CHECK(t.fired().empty());
}

TEST_CASE("the Nth command fails without running, and only that one", "[fault]") {
  FakeTransport fake("web1");
  FaultTransport t(fake, {Fault::FailCommand(2, "", {3, "", "boom"})});
  CHECK(t.Run(Command::Argv({"true", "1"})).ok());
  const auto second = t.Run(Command::Argv({"true", "2"}));
  CHECK(second.exit_status == 3);
  CHECK(second.err == "boom");
  CHECK(t.Run(Command::Argv({"true", "3"})).ok());
  CHECK(fake.commands() == std::vector<std::string>{"true 1", "true 3"});
  REQUIRE(t.fired().size() == 1);
  CHECK(t.fired()[0].Describe() == "command #2 failed: true 2");
}

TEST_CASE("a command fault with a match counts only the matching commands", "[fault]") {
  FakeTransport fake("web1");
  FaultTransport t(fake, {Fault::FailCommand(2, "mv -T")});
  CHECK(t.Run(Command::Argv({"mv", "-T", "--", "a", "b"})).ok());
  CHECK(t.Run(Command::Argv({"ls"})).ok());
  CHECK(t.Run(Command::Argv({"ls"})).ok());
  const auto r = t.Run(Command::Argv({"mv", "-T", "--", "c", "d"}));
  CHECK(r.exit_status == 1);
  CHECK(r.err == "injected failure");
  CHECK(t.fired()[0].Describe() == "command #2 matching 'mv -T' failed: mv -T -- c d");
}

TEST_CASE("with reach_host the faulted command runs on the host before it fails", "[fault]") {
  FakeTransport fake("web1");
  Fault f = Fault::FailCommand(1);
  f.reach_host = true;
  FaultTransport t(fake, {f});
  CHECK(t.Run(Command::Argv({"touch", "x"})).exit_status == 1);
  CHECK(fake.commands() == std::vector<std::string>{"touch x"});
}

TEST_CASE("a timed-out command reads as Transport::Run documents it", "[fault]") {
  FakeTransport fake("web1");
  FaultTransport t(fake, {Fault::TimeOutCommand(1, "sleep"), Fault::TimeOutCommand(2, "sleep")});
  Command with_timeout = Command::Argv({"sleep", "100"});
  with_timeout.timeout_seconds = 5;
  const auto r = t.Run(with_timeout);
  CHECK(r.exit_status == -1);
  CHECK(r.err == "timed out after 5 s");
  const auto untimed = t.Run(Command::Argv({"sleep", "1"}));
  CHECK(untimed.err == "timed out after 30 s");
  CHECK(fake.commands().empty());
}

TEST_CASE("losing the host fails that call and every later one with UnreachableError", "[fault]") {
  FakeTransport fake("web1");
  fake.AddFile("/srv/a", "x");
  FaultTransport t(fake, {Fault::LoseHostOnCommand(2)});
  CHECK(t.Run(Command::Argv({"true"})).ok());
  CHECK_THROWS_MATCHES(
      t.Run(Command::Argv({"mv", "a", "b"})), UnreachableError,
      Catch::Message("web1: connection lost while running a command: Socket error: disconnected"));
  CHECK(t.lost());
  CHECK_THROWS_MATCHES(
      t.Run(Command::Argv({"true"})), UnreachableError,
      Catch::Message("web1: connection lost while opening a channel: Socket error: disconnected"));
  CHECK_THROWS_MATCHES(
      t.ReadFile("/srv/a"), UnreachableError,
      Catch::Message("web1: connection lost while read /srv/a: Socket error: disconnected"));
  CHECK_THROWS_AS(t.Stat("/srv/a"), UnreachableError);
  CHECK_THROWS_AS(t.WriteFile("/srv/b", "", 0644), UnreachableError);
  CHECK_THROWS_AS(t.UploadFile("/etc/hostname", "/srv/c", 0644), UnreachableError);
  CHECK_THROWS_AS(t.OpenLocalForward("127.0.0.1", 5432), UnreachableError);
  // Only the call that lost the host reached the fake before it: none after.
  CHECK(fake.commands() == std::vector<std::string>{"true"});
  REQUIRE(t.fired().size() == 1);
  CHECK(t.fired()[0].effect == Effect::kLoseHost);
}

TEST_CASE("a host lost after the command ran keeps what the command did", "[fault]") {
  FakeTransport fake("web1");
  FaultTransport t(fake, {Fault::LoseHostOnCommand(1, "mv", /*reach_host=*/true)});
  CHECK_THROWS_AS(t.Run(Command::Argv({"mv", "a", "b"})), UnreachableError);
  CHECK(fake.commands() == std::vector<std::string>{"mv a b"});
}

TEST_CASE("the Nth write fails with the SFTP error and writes nothing", "[fault]") {
  FakeTransport fake("web1");
  fake.AddDir("/srv");
  FaultTransport t(fake, {Fault::FailWrite(2)});
  t.WriteFile("/srv/a", "1", 0644);
  CHECK_THROWS_MATCHES(t.WriteFile("/srv/b", "2", 0644), RemoteFileError,
                       Catch::Message("web1: cannot write /srv/b: permission denied"));
  CHECK(fake.Find("/srv/b") == nullptr);
  t.WriteFile("/srv/c", "3", 0644);
  CHECK(fake.Find("/srv/c") != nullptr);
  CHECK(t.fired()[0].Describe() == "write #2 failed: /srv/b");
}

TEST_CASE("uploads and writes are counted together", "[fault]") {
  FakeTransport fake("web1");
  fake.AddDir("/srv");
  FaultTransport t(fake, {Fault::FailWrite(2, "no space left")});
  t.WriteFile("/srv/a", "1", 0644);
  CHECK_THROWS_MATCHES(t.UploadFile("/etc/hostname", "/srv/up", 0600), RemoteFileError,
                       Catch::Message("web1: cannot write /srv/up: no space left"));
  CHECK(fake.Find("/srv/up") == nullptr);
}

TEST_CASE("a write that loses the host after reaching it leaves the file written", "[fault]") {
  FakeTransport fake("web1");
  fake.AddDir("/srv");
  FaultTransport t(fake, {Fault::LoseHostOnWrite(1, /*reach_host=*/true)});
  CHECK_THROWS_MATCHES(
      t.WriteFile("/srv/a", "1", 0644), UnreachableError,
      Catch::Message("web1: connection lost while write /srv/a: Socket error: disconnected"));
  REQUIRE(fake.Find("/srv/a") != nullptr);
  CHECK(fake.Find("/srv/a")->content == "1");
}

TEST_CASE("the Nth read fails; stats are counted apart from reads", "[fault]") {
  FakeTransport fake("web1");
  fake.AddFile("/srv/a", "x");
  Fault stat;
  stat.op = Op::kStat;
  stat.nth = 1;
  FaultTransport t(fake, {Fault::FailRead(2), stat});
  CHECK_THROWS_MATCHES(t.Stat("/srv/a"), RemoteFileError,
                       Catch::Message("web1: cannot stat /srv/a: permission denied"));
  CHECK(t.ReadFile("/srv/a") == "x");
  CHECK_THROWS_MATCHES(t.ReadFile("/srv/a"), RemoteFileError,
                       Catch::Message("web1: cannot read /srv/a: permission denied"));
  CHECK(t.ReadFile("/srv/a") == "x");
  CHECK(t.fired().size() == 2);
}

TEST_CASE("faults armed later count from when they are armed; nonsense is refused", "[fault]") {
  FakeTransport fake("web1");
  FaultTransport t(fake);
  t.Run(Command::Argv({"a"}));
  t.Arm(Fault::FailCommand(1));
  CHECK_FALSE(t.Run(Command::Argv({"b"})).ok());
  Fault bad = Fault::FailWrite(1);
  bad.effect = Effect::kTimeout;
  CHECK_THROWS_AS(t.Arm(bad), std::invalid_argument);
  CHECK_THROWS_AS(t.Arm(Fault::FailCommand(0)), std::invalid_argument);
  Fault matched_read = Fault::FailRead(1);
  matched_read.match = "x";
  CHECK_THROWS_AS(t.Arm(matched_read), std::invalid_argument);
}

TEST_CASE("an owning fault transport keeps its inner transport alive", "[fault]") {
  auto fake = std::make_unique<FakeTransport>("db1");
  FaultTransport t(std::move(fake), {Fault::FailCommand(1)});
  CHECK(t.host() == "db1");
  CHECK_FALSE(t.Run(Command::Argv({"x"})).ok());
  CHECK(t.Run(Command::Argv({"x"})).ok());
}
