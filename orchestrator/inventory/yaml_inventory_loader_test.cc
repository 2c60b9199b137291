#include "orchestrator/inventory/yaml_inventory_loader.h"

#include <catch2/catch.hpp>

#include "orchestrator/inventory/inventory.h"
#include "orchestrator/yaml/yaml_value.h"

using namespace deployctl;
using Names = std::vector<std::string>;

namespace {

Inventory FromYaml(const std::string& text, const std::string& file = "hosts.yml") {
  Inventory inventory;
  LoadYamlInventory(LoadYamlText(text, file), file, inventory);
  inventory.Finalize();
  return inventory;
}

}  // namespace

TEST_CASE("YAML: all, nested children, hosts with and without vars", "[yaml_inventory]") {
  Inventory inv = FromYaml(R"(
all:
  vars: {env: prod}
  children:
    web:
      hosts:
        web[1:2].example.com:
        lb1: {ansible_host: 10.0.0.1}
      children:
        web_eu:
          hosts:
            web1.example.com:
)");
  CHECK(inv.groups().at("all").children == Names{"ungrouped", "web"});
  CHECK(inv.groups().at("web").hosts == Names{"web1.example.com", "web2.example.com", "lb1"});
  CHECK(inv.groups().at("web").children == Names{"web_eu"});
  CHECK(inv.groups().at("all").inline_vars == Value{{"env", "prod"}});
  CHECK(inv.hosts().at("lb1").inline_vars == Value{{"ansible_host", "10.0.0.1"}});
  CHECK(inv.groups().at("web_eu").depth == 2);
}

TEST_CASE("YAML: top-level groups other than all hang off all", "[yaml_inventory]") {
  Inventory inv = FromYaml("db:\n  hosts:\n    pg1:\nweb:\n  hosts: web1\n");
  CHECK(inv.groups().at("all").children == Names{"ungrouped", "db", "web"});
  CHECK(inv.groups().at("web").hosts == Names{"web1"});  // a bare string is one host
}

TEST_CASE("YAML: hosts directly under all are ungrouped", "[yaml_inventory]") {
  Inventory inv = FromYaml("all:\n  hosts:\n    solo:\n");
  CHECK(inv.groups().at("ungrouped").hosts == Names{"solo"});
  CHECK(inv.GroupsOf("solo") == Names{"all", "ungrouped"});
}

TEST_CASE("YAML: host:port sets ansible_port where the host first appears", "[yaml_inventory]") {
  Inventory inv = FromYaml("a:\n  hosts:\n    h1:2222:\nb:\n  hosts:\n    h1:3333:\n");
  CHECK(inv.hosts().at("h1").inline_vars == Value{{"ansible_port", 2222}});
}

TEST_CASE("YAML: vars are typed as Ansible types YAML", "[yaml_inventory]") {
  Inventory inv = FromYaml(R"(
all:
  vars:
    port: 8080
    debug: yes
    version: "1.10"
    nothing:
    list: [a, 1]
)");
  CHECK(inv.groups().at("all").inline_vars ==
        Value::parse(R"({"port": 8080, "debug": true, "version": "1.10", "nothing": null,
                         "list": ["a", 1]})"));
}

TEST_CASE("YAML errors name the file, line, column and what was expected", "[yaml_inventory]") {
  CHECK_THROWS_WITH(FromYaml("all:\n  children:\n    web:\n      hosts:\n        - web1\n",
                             "inventories/x/hosts.yml"),
                    "inventories/x/hosts.yml:4:7: expected a mapping of host names under "
                    "'hosts', got a list");
  CHECK_THROWS_WITH(FromYaml("- web1\n"),
                    "hosts.yml:1:1: expected a mapping of group names at the top level (all:, "
                    "or your own groups, each with hosts:, children:, vars:), got a list");
  CHECK_THROWS_WITH(FromYaml("web:\n  vars:\n    - a\n"),
                    "hosts.yml:2:3: expected a mapping of variable names under 'vars', got a list");
  CHECK_THROWS_WITH(
      FromYaml("web:\n  children: [a, b]\n"),
      "hosts.yml:2:3: expected a mapping of group names under 'children', got a list");
  CHECK_THROWS_WITH(FromYaml("web:\n  hosts:\n    web1: [a]\n"),
                    "hosts.yml:3:11: expected a mapping of variables for host 'web1' (or "
                    "nothing), got a list");
  CHECK_THROWS_WITH(FromYaml("web:\n  hosts:\n    web[05:01]:\n"),
                    "hosts.yml:3:5: the range begins after it ends in host range 'web[05:01]'");
  CHECK_THROWS_WITH(FromYaml("web:\n  hosts:\n    12:\n"),
                    "hosts.yml:3:5: the host name 12 is a number: put it in quotes to use it as "
                    "a name");
  CHECK_THROWS_WITH(FromYaml("web:\n  children:\n    web:\n"),
                    "hosts.yml:3:5: group 'web' cannot be a child of itself");
  CHECK_THROWS_WITH(FromYaml("a:\n  children:\n    b:\n      children:\n        a:\n"),
                    "hosts.yml:3:5: making 'b' a child of 'a' creates a cycle: 'b' is already a "
                    "parent of 'a'");
  CHECK_THROWS_WITH(FromYaml("plugin: aws_ec2\n"),
                    "hosts.yml:1:1: this is an inventory plugin configuration ('plugin:'); "
                    "deployctl reads YAML and INI inventories only");
  CHECK_THROWS_WITH(FromYaml("web:\n  children:\n    app: [x]\n"),
                    "hosts.yml:3:5: expected group 'app' to be a mapping of hosts:, children:, "
                    "vars: (or empty), got a list");
}

TEST_CASE("YAML: keys Ansible only warns about are skipped", "[yaml_inventory]") {
  Inventory inv = FromYaml("web:\n  host:\n    web1:\n  hosts:\n    web2:\nnotes: a string\n");
  CHECK(inv.groups().at("web").hosts == Names{"web2"});
  CHECK_FALSE(inv.HasGroup("notes"));
}

TEST_CASE("YAML: an empty document is an empty inventory", "[yaml_inventory]") {
  Inventory inv = FromYaml("# nothing yet\n");
  CHECK(inv.host_names().empty());
}
