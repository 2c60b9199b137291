// The two views `ansible-inventory` prints (ansible/cli/inventory.py:
// json_inventory and inventory_graph), reproduced key for key.
#include <set>

#include "orchestrator/inventory/inventory.h"

namespace deployctl {
namespace {

// Variables ansible-inventory never prints (its INTERNAL_VARS).
const std::set<std::string>& InternalVars() {
  static const std::set<std::string> names = {"ansible_diff_mode",
                                              "ansible_config_file",
                                              "ansible_facts",
                                              "ansible_forks",
                                              "ansible_inventory_sources",
                                              "ansible_limit",
                                              "ansible_playbook_python",
                                              "ansible_run_tags",
                                              "ansible_skip_tags",
                                              "ansible_verbosity",
                                              "ansible_version",
                                              "inventory_dir",
                                              "inventory_file",
                                              "inventory_hostname",
                                              "inventory_hostname_short",
                                              "groups",
                                              "group_names",
                                              "omit",
                                              "playbook_dir"};
  return names;
}

std::string GraphLine(const std::string& name, int depth) {
  std::string line;
  for (int i = 0; i < depth; ++i) line += "  |";
  return depth == 0 ? name : line + "--" + name;
}

}  // namespace

Value Inventory::ToListJson() const {
  Value out = Value::object();
  std::set<std::string> seen;
  // Each group once: its direct hosts ("all" shows none) and children;
  // empty lists are left out, and a group with neither is left out whole.
  auto format = [&](auto&& self, const InventoryGroup& group) -> void {
    Value entry = Value::object();
    if (group.name != "all" && !group.hosts.empty()) entry["hosts"] = group.hosts;
    if (!group.children.empty()) entry["children"] = group.children;
    for (const std::string& child : group.children) {
      if (seen.insert(child).second) self(self, groups_.at(child));
    }
    if (!entry.empty()) out[group.name] = std::move(entry);
  };
  format(format, groups_.at("all"));

  Value hostvars = Value::object();
  for (const std::string& host : host_order_) {
    Value vars = HostInventoryVars(host);
    for (const std::string& name : InternalVars()) vars.erase(name);
    if (!vars.empty()) hostvars[host] = std::move(vars);
  }
  out["_meta"] = {{"hostvars", std::move(hostvars)}};
  return out;
}

std::string Inventory::ToGraph(const std::string& root) const {
  if (!HasGroup(root)) {
    throw UsageError("--graph: '" + root + "' is not a group in the inventory");
  }
  std::string out;
  // Unlike --list, a group is drawn under every parent it has.
  auto draw = [&](auto&& self, const InventoryGroup& group, int depth) -> void {
    out += GraphLine("@" + group.name + ":", depth) + "\n";
    for (const std::string& child : group.children) self(self, groups_.at(child), depth + 1);
    if (group.name == "all") return;
    for (const std::string& host : group.hosts) out += GraphLine(host, depth + 1) + "\n";
  };
  draw(draw, groups_.at(root), 0);
  return out;
}

}  // namespace deployctl
