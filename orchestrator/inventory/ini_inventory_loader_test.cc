#include "orchestrator/inventory/ini_inventory_loader.h"

#include <catch2/catch.hpp>

#include "orchestrator/inventory/inventory.h"

using namespace deployctl;
using Names = std::vector<std::string>;

namespace {

Inventory FromIni(const std::string& text, const std::string& file = "hosts") {
  Inventory inventory;
  LoadIniInventory(text, file, inventory);
  inventory.Finalize();
  return inventory;
}

}  // namespace

TEST_CASE("INI: sections, children, ungrouped hosts before any section", "[ini_inventory]") {
  Inventory inv = FromIni(R"(
lone1
[web]
web[01:02].example.com
[db:children]
pg
[pg]
pg1:2222
[empty]
)");
  CHECK(inv.groups().at("ungrouped").hosts == Names{"lone1"});
  CHECK(inv.groups().at("web").hosts == Names{"web01.example.com", "web02.example.com"});
  CHECK(inv.groups().at("db").children == Names{"pg"});
  CHECK(inv.groups().at("all").children == Names{"ungrouped", "web", "db", "empty"});
  CHECK(inv.hosts().at("pg1").inline_vars == Value{{"ansible_port", 2222}});
}

TEST_CASE("INI: host line values are literal-evaluated like Ansible", "[ini_inventory]") {
  Inventory inv = FromIni(
      "h1 a=true b=010 c=5 d=True e=\"'q'\" f=\"[1, 2]\" g=None s=\"a b\" k=a=b # comment\n");
  CHECK(inv.hosts().at("h1").inline_vars ==
        Value::parse(R"({"a": "true", "b": "010", "c": 5, "d": true, "e": "q", "f": [1, 2],
                         "g": null, "s": "a b", "k": "a=b"})"));
}

TEST_CASE("INI: :vars values are literal-evaluated too (ansible-core 2.14)", "[ini_inventory]") {
  Inventory inv = FromIni("[g]\nh\n[g:vars]\na = 5 # c\nb = hello # c\nc=x=y\nd = 'x'\ne=\n");
  CHECK(inv.groups().at("g").inline_vars ==
        Value::parse(R"({"a": 5, "b": "hello # c", "c": "x=y", "d": "x", "e": ""})"));
}

TEST_CASE("INI: :vars and :children may come before the group", "[ini_inventory]") {
  Inventory inv = FromIni("[web:vars]\nx=1\n[all:children]\nweb\n[web]\nw1\n");
  CHECK(inv.groups().at("web").inline_vars == Value{{"x", 1}});
  CHECK(inv.groups().at("all").children == Names{"ungrouped", "web"});
}

TEST_CASE("INI: ansible_group_priority sets the priority, not a variable", "[ini_inventory]") {
  Inventory inv = FromIni("[g]\nh\n[g:vars]\nansible_group_priority=10\n");
  CHECK(inv.groups().at("g").priority == 10);
  CHECK(inv.groups().at("g").inline_vars.empty());
}

TEST_CASE("INI errors name the file and line and what was expected", "[ini_inventory]") {
  CHECK_THROWS_WITH(FromIni("[web]\nw1\n[web servers]\n", "inv/hosts"),
                    "inv/hosts:3: invalid section header '[web servers]': expected [group], "
                    "[group:vars] or [group:children], with no spaces in the group name");
  CHECK_THROWS_WITH(FromIni("[web:child]\n"),
                    "hosts:1: unknown section type 'child' in [web:child]: expected [web], "
                    "[web:vars] or [web:children]");
  CHECK_THROWS_WITH(FromIni("[x:children]\nx\n"), "hosts:2: group 'x' cannot be a child of itself");
  CHECK_THROWS_WITH(FromIni("[a:children]\nb\n[b:children]\na\n"),
                    "hosts:4: making 'a' a child of 'b' creates a cycle: 'a' is already a parent "
                    "of 'b'");
  CHECK_THROWS_WITH(FromIni("[web]\nweb[05:01]\n"),
                    "hosts:2: the range begins after it ends in host range 'web[05:01]'");
  CHECK_THROWS_WITH(FromIni("[web]\nweb1 port\n"),
                    "hosts:2: expected key=value host variables after 'web1', got 'port'");
  CHECK_THROWS_WITH(FromIni("[web]\nweb1 a='b\n"),
                    "hosts:2: cannot parse host line 'web1 a='b': No closing quotation");
  CHECK_THROWS_WITH(FromIni("[web:vars]\njust words\n[web]\n"),
                    "hosts:2: expected key=value in [web:vars], got 'just words'");
  CHECK_THROWS_WITH(FromIni("[web:children]\na b\n"),
                    "hosts:2: expected a group name in [web:children], got 'a b'");
  CHECK_THROWS_WITH(FromIni("[web:children]\napp\n"),
                    "hosts:2: [web:children] names group 'app', which is not defined: add a "
                    "[app] section");
  CHECK_THROWS_WITH(FromIni("[web:vars]\nx=1\n"),
                    "hosts:1: [web:vars] sets variables of group 'web', which has no [web] or "
                    "[web:children] section");
  CHECK_THROWS_WITH(FromIni("[web]\nweb1:\n"),
                    "hosts:2: invalid host 'web1:': a ':' after the host name must be followed "
                    "by a port");
  CHECK_THROWS_WITH(FromIni("[g:vars]\nansible_group_priority=high\n[g]\n"),
                    "hosts:2: group 'g': ansible_group_priority must be a number, got 'high'");
}
