// The playbook engine on fake hosts: which task ran on which host, what the
// run summary counts and what its failure line says. Playbooks are real
// YAML files loaded by LoadPlaybook; hosts are FakeTransports behind the
// fault transport, so a test can also lose a host.
#include "orchestrator/engine/runner.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "orchestrator/engine/playbook.h"
#include "orchestrator/engine/reporter.h"
#include "orchestrator/inventory/inventory.h"
#include "orchestrator/modules/module_test_util.h"
#include "remote/fake/fake_transport.h"
#include "remote/fault/fault_transport.h"

namespace {

using deployctl::ExitCode;
using deployctl::HostStats;
using deployctl::RunSummary;
using deployctl::Value;
using deployctl::remote::Command;
using deployctl::remote::CommandResult;
using deployctl::remote::FakeTransport;
using deployctl::remote::Transport;
using deployctl::remote::fault::BorrowedTransport;
using deployctl::remote::fault::Fault;
using deployctl::remote::fault::FaultTransport;
using Strings = std::vector<std::string>;

// Every command any host ran, in the order the hosts ran them, and how many
// ran at the same time at most. With `delay`, each command takes that long,
// so that parallel hosts overlap.
struct Timeline {
  std::mutex mu;
  Strings events;  // "web1: echo a"
  int running = 0;
  int most = 0;
  std::chrono::milliseconds delay{0};
};

class Timed : public BorrowedTransport {
 public:
  Timed(Transport& inner, Timeline& timeline) : BorrowedTransport(inner), timeline_(timeline) {}
  CommandResult Run(const Command& command) override {
    {
      std::lock_guard lock(timeline_.mu);
      timeline_.events.push_back(host() + ": " + deployctl::remote::RenderCommand(command));
      timeline_.most = std::max(timeline_.most, ++timeline_.running);
    }
    if (timeline_.delay.count() > 0) std::this_thread::sleep_for(timeline_.delay);
    CommandResult result = BorrowedTransport::Run(command);
    std::lock_guard lock(timeline_.mu);
    --timeline_.running;
    return result;
  }

 private:
  Timeline& timeline_;
};

const char* kInventory = R"(all:
  children:
    web:
      hosts:
        web1: {}
        web2: {}
        web3: {}
    db:
      hosts:
        db1: {}
)";

struct Fleet {
  deployctl::testing::TempDir dir;
  std::map<std::string, std::unique_ptr<FakeTransport>> hosts;
  std::map<std::string, std::vector<Fault>> faults;  // armed when the host connects
  Timeline timeline;
  deployctl::RunOptions options;
  std::ostringstream out;

  Fleet() {
    dir.Write("hosts.yml", kInventory);
    for (const char* name : {"web1", "web2", "web3", "db1"}) {
      hosts[name] = std::make_unique<FakeTransport>(name);
      faults[name];
    }
  }

  // Runs `yaml` (a playbook) against the fleet.
  RunSummary Run(const std::string& yaml) {
    const std::string path = dir.Write("play.yml", yaml);
    const auto inventory = deployctl::Inventory::Load(dir.path() + "/hosts.yml");
    auto reporter = deployctl::MakeTextReporter(out, 0);
    deployctl::PlaybookRunner runner(
        inventory, options, *reporter, [this](const deployctl::remote::ConnectionSpec& spec) {
          // Called from the hosts' threads: only reads the maps.
          return std::make_unique<FaultTransport>(
              std::make_unique<Timed>(*hosts.at(spec.inventory_name), timeline),
              faults.at(spec.inventory_name));
        });
    return runner.Run(deployctl::LoadPlaybook(path));
  }

  // The commands `host` ran, in order.
  const Strings& Ran(const std::string& host) { return hosts.at(host)->commands(); }
  void Fails(const std::string& host, const std::string& command, int rc = 1,
             const std::string& err = "") {
    hosts.at(host)->OnCommand(command, CommandResult{rc, "", err});
  }
};

const HostStats& Stats(const RunSummary& s, const std::string& host) {
  return s.stats.at(host);
}

std::string FailureOf(const RunSummary& s, const std::string& host) {
  for (const auto& f : s.failures) {
    if (f.host == host) return f.msg;
  }
  return "";
}

}  // namespace

// ------------------------------------------------------------------ basics

TEST_CASE("tasks run in order on every host of the play; the recap counts them", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - command: echo one
    - name: two
      command: echo two
      changed_when: false
)");
  INFO(f.out.str());
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(s.hosts == Strings{"web1", "web2", "web3"});
  for (const char* h : {"web1", "web2", "web3"}) {
    CHECK(f.Ran(h) == Strings{"echo one", "echo two"});
    CHECK(Stats(s, h).ok == 2);
    CHECK(Stats(s, h).changed == 1);
    CHECK(Stats(s, h).failed == 0);
  }
  CHECK(f.Ran("db1").empty());
  CHECK(s.failures.empty());
  CHECK(s.FailureLine().empty());
}

TEST_CASE("a host whose task fails stops there; the others run to the end", "[runner]") {
  Fleet f;
  f.Fails("web2", "echo two", 2, "disk full");
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - command: echo one
    - name: second step
      command: echo two
    - command: echo three
)");
  INFO(f.out.str());
  CHECK(s.exit_code() == ExitCode::kTaskFailed);
  CHECK(f.Ran("web1") == Strings{"echo one", "echo two", "echo three"});
  CHECK(f.Ran("web2") == Strings{"echo one", "echo two"});
  CHECK(f.Ran("web3") == Strings{"echo one", "echo two", "echo three"});
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].host == "web2");
  CHECK(s.failures[0].task == "second step");
  CHECK(s.failures[0].msg == "non-zero return code (rc=2): disk full");
  CHECK(s.FailureLine() == "task 'second step' (" + f.dir.path() +
                               "/play.yml:5:7) failed on web2: non-zero return code (rc=2): disk "
                               "full; 1 of 3 host(s) stopped at their failed task, the others ran "
                               "to the end");
  CHECK(Stats(s, "web2").failed == 1);
  CHECK(Stats(s, "web2").ok == 1);
}

TEST_CASE("a failed host takes no part in the later plays", "[runner]") {
  Fleet f;
  f.Fails("web1", "echo one");
  const auto s = f.Run(R"(
- hosts: web1,web2
  tasks:
    - command: echo one
- hosts: all
  tasks:
    - command: echo two
)");
  CHECK(f.Ran("web1") == Strings{"echo one"});
  CHECK(f.Ran("web2") == Strings{"echo one", "echo two"});
  CHECK(f.Ran("db1") == Strings{"echo two"});
  CHECK(s.hosts == Strings{"web1", "web2", "web3", "db1"});
}

TEST_CASE("a lost host is unreachable: it stops, the run exits 3 and says so", "[runner]") {
  Fleet f;
  f.faults["web2"] = {Fault::LoseHostOnCommand(1, "echo two")};
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - command: echo one
    - block:
        - command: echo two
      rescue:
        - command: echo rescued
      always:
        - command: echo always
    - command: echo three
)");
  INFO(f.out.str());
  CHECK(s.exit_code() == ExitCode::kUnreachable);
  // Neither rescue nor always runs on a host that cannot be reached.
  CHECK(f.Ran("web2") == Strings{"echo one"});
  CHECK(f.Ran("web1") == Strings{"echo one", "echo two", "echo always", "echo three"});
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].unreachable);
  CHECK(Stats(s, "web2").unreachable == 1);
  CHECK(s.FailureLine() ==
        "host web2 unreachable: web2: connection lost while running a command: Socket error: "
        "disconnected; 1 of 3 host(s) stopped at their failed task, the others ran to the end");
}

// ------------------------------------------------------- block / rescue / always

TEST_CASE("rescue runs only on the hosts whose block failed, and rescues them", "[runner]") {
  Fleet f;
  f.Fails("web2", "echo b2", 1, "nope");
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - name: the block
      block:
        - command: echo b1
        - name: block step two
          command: echo b2
        - command: echo b3
      rescue:
        - command: "echo rescue {{ ansible_failed_task.name }}"
        - debug:
            msg: "{{ ansible_failed_result.msg }}"
          register: why
      always:
        - command: echo always
    - command: echo after
)");
  INFO(f.out.str());
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(s.failures.empty());
  CHECK(f.Ran("web1") == Strings{"echo b1", "echo b2", "echo b3", "echo always", "echo after"});
  CHECK(f.Ran("web2") ==
        Strings{"echo b1", "echo b2", "echo rescue block step two", "echo always", "echo after"});
  CHECK(s.registered.at("web2")["why"]["msg"] == "non-zero return code (rc=1): nope");
  CHECK_FALSE(s.registered.at("web1").contains("why"));
  CHECK(Stats(s, "web2").rescued == 1);
  CHECK(Stats(s, "web2").failed == 0);
  CHECK(Stats(s, "web1").rescued == 0);
}

TEST_CASE("always runs on failed hosts too, and they stay failed after it", "[runner]") {
  Fleet f;
  f.Fails("web1", "echo b1");
  const auto s = f.Run(R"(
- hosts: web1,web2
  tasks:
    - block:
        - command: echo b1
      always:
        - command: echo always
    - command: echo after
)");
  CHECK(s.exit_code() == ExitCode::kTaskFailed);
  CHECK(f.Ran("web1") == Strings{"echo b1", "echo always"});
  CHECK(f.Ran("web2") == Strings{"echo b1", "echo always", "echo after"});
  CHECK(FailureOf(s, "web1") == "non-zero return code (rc=1)");
}

TEST_CASE(
    "a task failing in rescue fails the host; always still runs; its message is the "
    "rescue task's",
    "[runner]") {
  Fleet f;
  f.Fails("web1", "echo b1", 1, "first");
  f.Fails("web1", "echo r1", 3, "second");
  const auto s = f.Run(R"(
- hosts: web1,web2
  tasks:
    - block:
        - command: echo b1
      rescue:
        - name: rescue step
          command: echo r1
        - command: echo r2
      always:
        - command: echo always
    - command: echo after
)");
  INFO(f.out.str());
  CHECK(s.exit_code() == ExitCode::kTaskFailed);
  CHECK(f.Ran("web1") == Strings{"echo b1", "echo r1", "echo always"});
  CHECK(f.Ran("web2") == Strings{"echo b1", "echo always", "echo after"});
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].task == "rescue step");
  CHECK(s.failures[0].msg == "non-zero return code (rc=3): second");
  CHECK(Stats(s, "web1").rescued == 1);
  CHECK(Stats(s, "web1").failed == 1);
}

TEST_CASE("a task failing in always fails a host that had succeeded", "[runner]") {
  Fleet f;
  f.Fails("web2", "echo always");
  const auto s = f.Run(R"(
- hosts: web1,web2
  tasks:
    - block:
        - command: echo b1
      always:
        - command: echo always
    - command: echo after
)");
  CHECK(f.Ran("web1") == Strings{"echo b1", "echo always", "echo after"});
  CHECK(f.Ran("web2") == Strings{"echo b1", "echo always"});
  CHECK(s.exit_code() == ExitCode::kTaskFailed);
}

TEST_CASE("nested blocks: an inner rescue that recovers lets the outer block go on", "[runner]") {
  Fleet f;
  f.Fails("web1", "echo inner");
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - block:
        - block:
            - command: echo inner
          rescue:
            - command: echo fix-it
        - command: echo outer
      rescue:
        - command: echo outer-rescue
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(f.Ran("web1") == Strings{"echo inner", "echo fix-it", "echo outer"});
}

// --------------------------------------------------------- any_errors_fatal

TEST_CASE("any_errors_fatal: one host failing fails the task on every host", "[runner]") {
  Fleet f;
  f.Fails("web2", "echo two", 1, "broken");
  const auto s = f.Run(R"(
- hosts: web
  any_errors_fatal: true
  tasks:
    - command: echo one
    - name: two
      command: echo two
    - command: echo three
)");
  INFO(f.out.str());
  CHECK(s.exit_code() == ExitCode::kTaskFailed);
  for (const char* h : {"web1", "web2", "web3"}) CHECK(f.Ran(h) == Strings{"echo one", "echo two"});
  CHECK(FailureOf(s, "web2") == "non-zero return code (rc=1): broken");
  CHECK(FailureOf(s, "web1") == "stopped because web2 failed (any_errors_fatal)");
  CHECK(FailureOf(s, "web3") == "stopped because web2 failed (any_errors_fatal)");
  // The line names the first failed host in inventory order.
  CHECK(s.FailureLine() == "task 'two' (" + f.dir.path() +
                               "/play.yml:6:7) failed on web1: stopped because web2 failed "
                               "(any_errors_fatal); 3 of 3 host(s) stopped at their failed task, "
                               "the others ran to the end");
}

TEST_CASE("any_errors_fatal: every host runs the rescue, seeing whose failure stopped it",
          "[runner]") {
  Fleet f;
  f.Fails("web3", "echo b", 1, "broken");
  const auto s = f.Run(R"(
- hosts: web
  any_errors_fatal: true
  tasks:
    - block:
        - command: echo b
        - command: echo not-reached
      rescue:
        - debug:
            msg: "{{ ansible_failed_result.msg }}"
          register: why
        - command: echo rescued
    - command: echo after
)");
  INFO(f.out.str());
  CHECK(s.exit_code() == ExitCode::kOk);
  for (const char* h : {"web1", "web2", "web3"}) {
    CHECK(f.Ran(h) == Strings{"echo b", "echo rescued", "echo after"});
    CHECK(Stats(s, h).rescued == 1);
  }
  CHECK(s.registered.at("web3")["why"]["msg"] == "non-zero return code (rc=1): broken");
  CHECK(s.registered.at("web1")["why"]["msg"] ==
        "stopped because web3 failed (any_errors_fatal): non-zero return code (rc=1): broken");
}

// Regression: when the host that stops an any_errors_fatal play was
// unreachable, the others' rescue saw "task failed" (or a stale result of an
// earlier, rescued failure of that host) instead of why it was lost.
TEST_CASE("any_errors_fatal: a lost host's reason reaches the others' rescue", "[runner]") {
  Fleet f;
  f.faults["web2"] = {Fault::LoseHostOnCommand(1, "echo b")};
  const auto s = f.Run(R"(
- hosts: web1,web2
  any_errors_fatal: true
  tasks:
    - block:
        - command: echo b
      rescue:
        - debug:
            msg: "{{ ansible_failed_result.msg }}"
          register: why
)");
  CHECK_THAT(s.registered.at("web1")["why"]["msg"].get<std::string>(),
             Catch::Contains("web2: connection lost while running a command"));
}

// ------------------------------------------------------------------ run_once

TEST_CASE("run_once runs on the first host only and gives every host its result", "[runner]") {
  Fleet f;
  f.hosts["web1"]->OnCommand("echo once", {0, "42\n", ""});
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - command: echo once
      run_once: true
      register: answer
    - command: "echo got {{ answer.stdout }}"
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(f.Ran("web1") == Strings{"echo once", "echo got 42"});
  CHECK(f.Ran("web2") == Strings{"echo got 42"});
  CHECK(f.Ran("web3") == Strings{"echo got 42"});
  CHECK(Stats(s, "web1").changed == 2);
  CHECK(Stats(s, "web2").changed == 1);
}

TEST_CASE("run_once skipped by when on the first host runs nowhere", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - command: echo once
      run_once: true
      when: inventory_hostname != 'web1'
      register: r
)");
  CHECK(f.Ran("web1").empty());
  CHECK(f.Ran("web2").empty());
  CHECK(s.registered.at("web3")["r"]["skipped"] == true);
}

TEST_CASE(
    "a failed run_once task delegated to the database host stops every host under "
    "any_errors_fatal, as deploy.yml relies on",
    "[runner]") {
  Fleet f;
  f.Fails("db1", "pg_dump", 1, "no space");
  const auto s = f.Run(R"(
- hosts: web
  any_errors_fatal: true
  tasks:
    - name: backup
      command: pg_dump
      run_once: true
      delegate_to: db1
    - command: echo switch
)");
  CHECK(s.exit_code() == ExitCode::kTaskFailed);
  CHECK(f.Ran("db1") == Strings{"pg_dump"});
  for (const char* h : {"web1", "web2", "web3"}) CHECK(f.Ran(h).empty());
  // The one result is every host's (as in Ansible): each fails with it.
  CHECK(FailureOf(s, "web1") == "non-zero return code (rc=1): no space");
  CHECK(FailureOf(s, "web2") == "non-zero return code (rc=1): no space");
  CHECK(s.failures.size() == 3);
}

// Regression: a failed run_once task failed only the first host; the other
// hosts went on without the result it was to give them. Ansible fails every
// host of the play (deployctl's own workflows are any_errors_fatal, which
// hid this).
TEST_CASE("a failed run_once task fails every host of the play", "[runner]") {
  Fleet f;
  f.Fails("web1", "echo once", 1, "no");
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - command: echo once
      run_once: true
    - command: echo after
)");
  CHECK(f.Ran("web2").empty());
  CHECK(f.Ran("web3").empty());
  CHECK(s.failures.size() == 3);
}

// --------------------------------------------------------------- delegate_to

TEST_CASE("delegate_to runs the task on another host with the delegating host's vars", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web1,web2
  vars:
    target: db1
  tasks:
    - command: "echo for {{ inventory_hostname }}"
      delegate_to: "{{ target }}"
      register: r
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(f.Ran("web1").empty());
  CHECK(f.Ran("web2").empty());
  Strings on_db = f.Ran("db1");
  std::sort(on_db.begin(), on_db.end());
  CHECK(on_db == Strings{"echo for web1", "echo for web2"});
  // The result belongs to the delegating host.
  CHECK(s.registered.at("web2")["r"]["stdout"] == "");
  CHECK_FALSE(s.registered.at("db1").contains("r"));
  CHECK(s.hosts == Strings{"web1", "web2"});
}

TEST_CASE("run_once with delegate_to runs once on the delegate", "[runner]") {
  Fleet f;
  f.Run(R"(
- hosts: web
  tasks:
    - command: echo backup
      run_once: true
      delegate_to: db1
)");
  CHECK(f.Ran("db1") == Strings{"echo backup"});
  for (const char* h : {"web1", "web2", "web3"}) CHECK(f.Ran(h).empty());
}

TEST_CASE("delegate_to a host not in the inventory fails the task naming it", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: echo x
      delegate_to: nowhere
)");
  CHECK(s.exit_code() == ExitCode::kTaskFailed);
  CHECK(FailureOf(s, "web1") == "delegate_to: no host 'nowhere' in the inventory");
}

TEST_CASE("a delegate that is lost makes the delegating host unreachable", "[runner]") {
  Fleet f;
  f.faults["db1"] = {Fault::LoseHostOnCommand(1)};
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: echo x
      delegate_to: db1
    - command: echo after
)");
  CHECK(s.exit_code() == ExitCode::kUnreachable);
  CHECK(f.Ran("web1").empty());
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].host == "web1");
  CHECK(s.failures[0].msg ==
        "db1: connection lost while running a command: Socket error: disconnected");
}

// --------------------------------------------------------------------- loops

TEST_CASE("loop runs the module once per item, in order, and registers every result", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: "echo {{ item }}"
      loop: [a, b, c]
      register: r
    - command: "echo {{ pkg }}"
      with_items: [x, y]
      loop_control:
        loop_var: pkg
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(f.Ran("web1") == Strings{"echo a", "echo b", "echo c", "echo x", "echo y"});
  const Value& r = s.registered.at("web1")["r"];
  REQUIRE(r["results"].size() == 3);
  CHECK(r["results"][1]["item"] == "b");
  CHECK(r["results"][1]["cmd"] == Value({"echo", "b"}));
  CHECK(r["changed"] == true);
}

TEST_CASE("a loop with a failing item runs the others and fails naming the item", "[runner]") {
  Fleet f;
  f.Fails("web1", "echo b", 4, "bad b");
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: "echo {{ item }}"
      loop: [a, b, c]
    - command: echo after
)");
  CHECK(f.Ran("web1") == Strings{"echo a", "echo b", "echo c"});
  CHECK(FailureOf(s, "web1") == "item \"b\": non-zero return code (rc=4): bad b");
}

TEST_CASE("a loop over something that is not a list fails the task", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web1
  vars:
    things: not-a-list
  tasks:
    - command: "echo {{ item }}"
      loop: "{{ things }}"
)");
  CHECK(f.Ran("web1").empty());
  CHECK_THAT(FailureOf(s, "web1"), Catch::EndsWith("'loop' must be a list, got \"not-a-list\""));
}

// Regression: `when` on a looped task was checked once, before the loop,
// without `item`, so the task failed; Ansible checks it per item, so
// `when: item != 'b'` skips only b.
TEST_CASE("when on a loop is checked for each item", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: "echo {{ item }}"
      loop: [a, b, c]
      when: item != 'b'
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(f.Ran("web1") == Strings{"echo a", "echo c"});
}

// ---------------------------------------------------------------------- tags

const char* kTagged = R"(
- hosts: web1
  tags: [play]
  tasks:
    - command: echo plain
    - command: echo deploy
      tags: deploy
    - command: echo always
      tags: [always]
    - block:
        - command: echo in-db-block
      tags: db
    - command: echo db-and-deploy
      tags: [db, deploy]
)";

TEST_CASE("tags: --tags runs the tagged tasks, tasks in tagged blocks, and 'always'", "[runner]") {
  Fleet f;
  f.options.tags = {"db"};
  f.Run(kTagged);
  CHECK(f.Ran("web1") == Strings{"echo always", "echo in-db-block", "echo db-and-deploy"});
}

TEST_CASE("play tags are inherited by every task", "[runner]") {
  Fleet f;
  f.options.tags = {"play"};
  f.Run(kTagged);
  CHECK(f.Ran("web1").size() == 5);
}

TEST_CASE("tags: --skip-tags wins over --tags and skips whole blocks", "[runner]") {
  Fleet f;
  f.options.tags = {"deploy", "db"};
  f.options.skip_tags = {"db"};
  f.Run(kTagged);
  CHECK(f.Ran("web1") == Strings{"echo deploy", "echo always"});
}

// Regression: Ansible's special tag 'never' keeps a task from running unless
// it is asked for by name (--tags never or one of its other tags); deployctl
// ran it on every run.
TEST_CASE("a task tagged never runs only when asked for", "[runner]") {
  Fleet f;
  f.Run(R"(
- hosts: web1
  tasks:
    - command: echo wipe
      tags: [never, wipe]
    - command: echo normal
)");
  CHECK(f.Ran("web1") == Strings{"echo normal"});
}

// ---------------------------------------------------------------------- when

TEST_CASE("a block's when is inherited by its block, rescue and always tasks", "[runner]") {
  Fleet f;
  const auto s = f.Run(R"(
- hosts: web1,web2
  tasks:
    - block:
        - command: echo in-block
      always:
        - command: echo in-always
      when: inventory_hostname == 'web2'
)");
  CHECK(f.Ran("web1").empty());
  CHECK(f.Ran("web2") == Strings{"echo in-block", "echo in-always"});
  CHECK(Stats(s, "web1").skipped == 2);
}

TEST_CASE("a block's when is checked task by task, as in Ansible", "[runner]") {
  Fleet f;
  f.Run(R"(
- hosts: web1
  tasks:
    - set_fact:
        go: true
    - block:
        - command: echo first
        - set_fact:
            go: false
        - command: echo second
      when: go
)");
  CHECK(f.Ran("web1") == Strings{"echo first"});
}

TEST_CASE("a block's when and a task's own when must both hold", "[runner]") {
  Fleet f;
  f.Run(R"(
- hosts: web1
  vars:
    a: true
    b: false
  tasks:
    - block:
        - command: echo both
          when: b
        - command: echo block-only
      when: a
)");
  CHECK(f.Ran("web1") == Strings{"echo block-only"});
}

// ---------------------------------------------------- ignore_errors, register

TEST_CASE("ignore_errors: the host goes on and the result is registered as failed", "[runner]") {
  Fleet f;
  f.Fails("web1", "echo flaky", 5, "meh");
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: echo flaky
      ignore_errors: true
      register: r
    - command: "echo rc={{ r.rc }}"
      when: r.failed
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(s.failures.empty());
  CHECK(f.Ran("web1") == Strings{"echo flaky", "echo rc=5"});
  CHECK(Stats(s, "web1").ignored == 1);
  CHECK(Stats(s, "web1").failed == 0);
  CHECK(s.registered.at("web1")["r"]["msg"] == "non-zero return code (rc=5): meh");
}

// Regression: ignore_errors on a block was accepted by the loader and then
// ignored; in Ansible it applies to every task in the block.
TEST_CASE("ignore_errors on a block applies to its tasks", "[runner]") {
  Fleet f;
  f.Fails("web1", "echo flaky");
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - block:
        - command: echo flaky
      ignore_errors: true
    - command: echo after
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(f.Ran("web1") == Strings{"echo flaky", "echo after"});
}

TEST_CASE("register stores results per host, and a skipped task registers skipped", "[runner]") {
  Fleet f;
  f.hosts["web1"]->OnCommand("hostname", {0, "one\n", ""});
  f.hosts["web2"]->OnCommand("hostname", {0, "two\n", ""});
  const auto s = f.Run(R"(
- hosts: web1,web2
  tasks:
    - command: hostname
      register: name
    - command: echo never
      when: name.stdout == 'nobody'
      register: skipped_one
    - command: "echo {{ name.stdout }}"
)");
  CHECK(f.Ran("web1") == Strings{"hostname", "echo one"});
  CHECK(f.Ran("web2") == Strings{"hostname", "echo two"});
  CHECK(s.registered.at("web2")["name"]["stdout"] == "two");
  CHECK(s.registered.at("web1")["skipped_one"]["skipped"] == true);
  CHECK(s.registered.at("web1")["skipped_one"]["false_condition"] == "name.stdout == 'nobody'");
}

TEST_CASE("failed_when and changed_when see the registered result", "[runner]") {
  Fleet f;
  f.hosts["web1"]->OnCommand("check", {0, "status=bad\n", ""});
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: check
      register: c
      changed_when: false
      failed_when: "'bad' in c.stdout"
    - command: echo after
)");
  CHECK(f.Ran("web1") == Strings{"check"});
  CHECK(FailureOf(s, "web1") == "failed_when condition met: ('bad' in c.stdout)");
}

// ------------------------------------------------------------------ throttle

TEST_CASE("throttle: 1 runs the task on one host at a time, in inventory order", "[runner]") {
  Fleet f;
  f.timeline.delay = std::chrono::milliseconds(20);
  f.Run(R"(
- hosts: web
  tasks:
    - command: "echo lock {{ inventory_hostname }}"
      throttle: 1
)");
  CHECK(f.timeline.most == 1);
  CHECK(f.timeline.events ==
        Strings{"web1: echo lock web1", "web2: echo lock web2", "web3: echo lock web3"});
}

TEST_CASE("throttle: 2 never runs more than two hosts at once", "[runner]") {
  Fleet f;
  f.timeline.delay = std::chrono::milliseconds(20);
  f.Run(R"(
- hosts: all
  tasks:
    - command: echo x
      throttle: 2
)");
  CHECK(f.timeline.most <= 2);
  CHECK(f.timeline.events.size() == 4);
}

TEST_CASE("forks: 1 runs hosts one at a time", "[runner]") {
  Fleet f;
  f.timeline.delay = std::chrono::milliseconds(10);
  f.options.forks = 1;
  f.Run(R"(
- hosts: web
  tasks:
    - command: echo x
)");
  CHECK(f.timeline.most == 1);
}

// ------------------------------------------------------------------- --check

TEST_CASE("check mode: --check records commands instead of running them", "[runner]") {
  Fleet f;
  f.options.check = true;
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - command: rm -rf /srv/data
)");
  CHECK(s.exit_code() == ExitCode::kOk);
  CHECK(f.Ran("web1").empty());
}

TEST_CASE("-l limits every play to the matching hosts", "[runner]") {
  Fleet f;
  f.options.limit = "web2";
  const auto s = f.Run(R"(
- hosts: web
  tasks:
    - command: echo x
)");
  CHECK(s.hosts == Strings{"web2"});
  CHECK(f.Ran("web1").empty());
  CHECK(f.Ran("web2") == Strings{"echo x"});
}

// ------------------------------------------------------- block-level keywords

// Regression: no_log on a block was accepted by the loader and then ignored
// (only when, tags and vars reached a block's tasks), so what it was meant
// to hide was printed; in Ansible it hides the output of every task in it.
TEST_CASE("no_log on a block hides its tasks' output", "[runner]") {
  Fleet f;
  f.Fails("web1", "mysql", 1, "access denied for pw-in-the-output");
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - block:
        - command: mysql
      no_log: true
)");
  CHECK(s.failures.at(0).msg == "(hidden by no_log)");
  CHECK(f.out.str().find("pw-in-the-output") == std::string::npos);
}

// Regression: run_once (and delegate_to, throttle) on a block were accepted
// and ignored the same way: the block ran on every host.
TEST_CASE("run_once on a block runs its tasks once", "[runner]") {
  Fleet f;
  f.Run(R"(
- hosts: web
  tasks:
    - block:
        - command: echo migrate
      run_once: true
)");
  CHECK(f.Ran("web1") == Strings{"echo migrate"});
  CHECK(f.Ran("web2").empty());
  CHECK(f.Ran("web3").empty());
}

TEST_CASE("no_log on a task hides its failure everywhere", "[runner]") {
  Fleet f;
  f.Fails("web1", "mysql", 1, "access denied for pw-in-the-output");
  const auto s = f.Run(R"(
- hosts: web1
  tasks:
    - block:
        - command: mysql
          no_log: true
      rescue:
        - debug:
            msg: "{{ ansible_failed_result.msg }}"
          register: why
)");
  CHECK(s.registered.at("web1")["why"]["msg"] == "(hidden by no_log)");
  CHECK(f.out.str().find("pw-in-the-output") == std::string::npos);
}
