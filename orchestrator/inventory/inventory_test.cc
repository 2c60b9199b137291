#include "orchestrator/inventory/inventory.h"

#include <catch2/catch.hpp>

#include "orchestrator/core/redact.h"
#include "tests/support/temp_dir.h"

using namespace deployctl;
using deployctl::testing::TempDir;
using Names = std::vector<std::string>;

namespace {

// The same variable at every level, to see which one wins.
const char* kLayeredInventory = R"(
all:
  vars: {level: all-inline, from_all: yes}
  children:
    app:
      vars: {level: app-inline}
      children:
        app_eu:
          vars: {level: app_eu-inline}
          hosts:
            eu1:
            eu2: {level: eu2-inline}
    zeta:
      vars: {level: zeta-inline}
      hosts:
        eu1:
)";

}  // namespace

TEST_CASE("precedence: all < groups by depth then name < host", "[inventory]") {
  TempDir dir;
  Inventory inv = Inventory::Load(dir.Write("hosts.yml", kLayeredInventory));
  // app_eu (depth 2) beats zeta and app (depth 1); zeta beats app by name.
  CHECK(inv.GroupsOf("eu1") == Names{"all", "app", "zeta", "app_eu"});
  CHECK(inv.HostVars("eu1")["level"] == "app_eu-inline");
  CHECK(inv.HostVars("eu2")["level"] == "eu2-inline");
  CHECK(inv.HostVars("eu1")["from_all"] == true);
}

TEST_CASE("precedence: ansible_group_priority reorders groups of the same depth", "[inventory]") {
  TempDir dir;
  const std::string path = dir.Write("hosts",
                                     "[a]\nh\n[b]\nh\n[a:vars]\nx=a\nansible_group_priority=5\n"
                                     "[b:vars]\nx=b\n");
  Inventory inv = Inventory::Load(path);
  CHECK(inv.HostVars("h")["x"] == "a");
}

TEST_CASE("precedence: group_vars files beat every inline group var, as in Ansible",
          "[inventory]") {
  TempDir dir;
  const std::string path = dir.Write("hosts.yml", kLayeredInventory);
  dir.Write("group_vars/all.yml", "level: all-file\nonly_all_file: 1\n");
  SECTION("group_vars/all beats even a child group's inline vars") {
    Inventory inv = Inventory::Load(path);
    CHECK(inv.HostVars("eu1")["level"] == "all-file");
    CHECK(inv.HostVars("eu2")["level"] == "eu2-inline");  // inline host vars beat group files
  }
  SECTION("group_vars/<group> beats group_vars/all; depth orders the files too") {
    dir.Write("group_vars/app.yml", "level: app-file\n");
    dir.Write("group_vars/app_eu/main.yml", "level: app_eu-file\n");
    Inventory inv = Inventory::Load(path);
    CHECK(inv.HostVars("eu1")["level"] == "app_eu-file");
    CHECK(inv.groups().at("app_eu").vars["level"] == "app_eu-file");
    CHECK(inv.groups().at("app_eu").inline_vars["level"] == "app_eu-inline");
  }
  SECTION("host_vars beat inline host vars") {
    dir.Write("host_vars/eu2.yml", "level: eu2-file\n");
    Inventory inv = Inventory::Load(path);
    CHECK(inv.HostVars("eu2")["level"] == "eu2-file");
    CHECK(inv.HostVars("eu2")["only_all_file"] == 1);
  }
}

TEST_CASE("dicts are replaced, not merged", "[inventory]") {
  TempDir dir;
  const std::string path = dir.Write("hosts.yml",
                                     "all:\n  vars:\n    app: {a: 1, b: 2}\n"
                                     "  hosts:\n    h:\n      app: {c: 3}\n");
  CHECK(Inventory::Load(path).HostVars("h")["app"] == Value{{"c", 3}});
}

TEST_CASE("magic variables", "[inventory]") {
  TempDir dir;
  const std::string path = dir.Write("hosts",
                                     "lone\n10.0.0.1\n[web]\nweb1.example.com\n"
                                     "[eu:children]\nweb\n");
  Inventory inv = Inventory::Load(path);
  const Value vars = inv.HostVars("web1.example.com");
  CHECK(vars["inventory_hostname"] == "web1.example.com");
  CHECK(vars["inventory_hostname_short"] == "web1");
  CHECK(vars["group_names"] == Value{"eu", "web"});
  CHECK(vars["groups"] == Value::parse(R"({"all": ["lone", "10.0.0.1", "web1.example.com"],
      "ungrouped": ["lone", "10.0.0.1"], "web": ["web1.example.com"],
      "eu": ["web1.example.com"]})"));
  CHECK(vars["inventory_file"] == path);
  CHECK(vars["inventory_dir"] == dir.path());
  CHECK(inv.HostVars("10.0.0.1")["inventory_hostname_short"] == "10.0.0.1");
  // Ansible keeps "ungrouped" in group_names.
  CHECK(inv.HostVars("lone")["group_names"] == Value{"ungrouped"});
}

TEST_CASE("a host leaves ungrouped once it is in a group", "[inventory]") {
  TempDir dir;
  Inventory inv = Inventory::Load(dir.Write("hosts", "h1\nh2\n[web]\nh1\n"));
  CHECK(inv.groups().at("ungrouped").hosts == Names{"h2"});
  CHECK(inv.GroupsOf("h1") == Names{"all", "web"});
  CHECK(inv.HostsOfGroup("all") == Names{"h2", "h1"});
  CHECK(inv.host_names() == Names{"h1", "h2"});
}

TEST_CASE("inventory --list and --graph output", "[inventory]") {
  TempDir dir;
  Inventory inv =
      Inventory::Load(dir.Write("hosts",
                                "lone x=1\n[web]\nw[1:2]\n[db:children]\npg\n[pg]\npg1\n[empty]\n"
                                "[both:children]\npg\n"));
  CHECK(inv.ToListJson() == Value::parse(R"({
    "_meta": {"hostvars": {"lone": {"x": 1}}},
    "all": {"children": ["ungrouped", "web", "db", "empty", "both"]},
    "ungrouped": {"hosts": ["lone"]},
    "web": {"hosts": ["w1", "w2"]},
    "db": {"children": ["pg"]},
    "pg": {"hosts": ["pg1"]},
    "both": {"children": ["pg"]}})"));
  CHECK(inv.ToGraph() ==
        "@all:\n"
        "  |--@ungrouped:\n"
        "  |  |--lone\n"
        "  |--@web:\n"
        "  |  |--w1\n"
        "  |  |--w2\n"
        "  |--@db:\n"
        "  |  |--@pg:\n"
        "  |  |  |--pg1\n"
        "  |--@empty:\n"
        "  |--@both:\n"
        "  |  |--@pg:\n"
        "  |  |  |--pg1\n");
  CHECK(inv.ToGraph("db") == "@db:\n  |--@pg:\n  |  |--pg1\n");
  CHECK_THROWS_WITH(inv.ToGraph("nosuch"), "--graph: 'nosuch' is not a group in the inventory");
}

TEST_CASE("an inventory directory reads every inventory file in it", "[inventory]") {
  TempDir dir;
  dir.Write("inv/10-web.yml", "web:\n  hosts:\n    web1:\n");
  dir.Write("inv/20-db", "[db]\ndb1\n");
  dir.Write("inv/30-ignored.ini", "[ini]\nnot-read\n");
  dir.Write("inv/README.md", "# not an inventory\n");
  dir.Write("inv/.hidden", "[hidden]\nnot-read\n");
  dir.Write("inv/group_vars/web.yml", "role: web\n");
  dir.Write("inv/host_vars/db1/main.yml", "role: db\n");
  Inventory inv = Inventory::Load(dir / "inv");
  CHECK(inv.host_names() == Names{"web1", "db1"});
  CHECK(inv.HostVars("web1")["role"] == "web");
  CHECK(inv.HostVars("db1")["role"] == "db");
  CHECK_FALSE(inv.HasGroup("ini"));
}

TEST_CASE("files without an extension are YAML when they parse as a mapping", "[inventory]") {
  TempDir dir;
  CHECK(Inventory::Load(dir.Write("a", "all:\n  hosts:\n    h:\n")).HasHost("h"));
  CHECK(Inventory::Load(dir.Write("b", "h1\nh2 x=1\n")).host_names() == Names{"h1", "h2"});
  CHECK_THROWS_WITH(Inventory::Load(dir.Write("c", "all:\n  hosts: [\n")),
                    Catch::StartsWith(dir / "c" + ":") && Catch::Contains(": invalid YAML"));
}

TEST_CASE("a comma-separated host list is an inventory", "[inventory]") {
  Inventory inv = Inventory::Load("web1,web2:2222,");
  CHECK(inv.host_names() == Names{"web1", "web2"});
  CHECK(inv.HostVars("web2")["ansible_port"] == 2222);
}

TEST_CASE("a missing inventory is a clear error", "[inventory]") {
  CHECK_THROWS_WITH(Inventory::Load("/nonexistent/hosts.yml"),
                    "/nonexistent/hosts.yml: inventory not found: no such file or directory");
}

TEST_CASE("secret-looking variables are registered for redaction", "[inventory]") {
  TempDir dir;
  Inventory::Load(dir.Write("hosts.yml",
                            "all:\n  vars:\n    db_password: s3cr3t-inline\n"
                            "    apps: {a: {database: {api_token: tok-nested-1}}}\n"
                            "  hosts:\n    h:\n"));
  CHECK(Redact("pw s3cr3t-inline tok-nested-1") == "pw ******** ********");
}
