#include "orchestrator/inventory/inventory.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "orchestrator/core/redact.h"

namespace deployctl {
namespace {

// Strings under secret-looking names, at any depth, are masked in logs.
void RegisterSecrets(const std::string& key, const Value& value) {
  if (value.is_string()) {
    if (IsSecretVariableName(key)) RegisterSecret(value.get<std::string>());
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items()) RegisterSecrets(k, v);
  } else if (value.is_array()) {
    for (const auto& v : value) RegisterSecrets(key, v);
  }
}

// hash_behaviour=replace: later top-level keys replace earlier ones whole.
void Overlay(Value& into, const Value& from) {
  for (const auto& [k, v] : from.items()) into[k] = v;
}

bool IsIpAddress(const std::string& name) {
  static const std::regex kIpv4(R"(^(\d{1,3}\.){3}\d{1,3}$)");
  return std::regex_match(name, kIpv4) || name.find(':') != std::string::npos;
}

}  // namespace

Inventory::Inventory() {
  GetOrAddGroup("all");
  GetOrAddGroup("ungrouped");
  AddChildGroup("all", "ungrouped", SourceLocation{});
}

InventoryGroup& Inventory::GetOrAddGroup(const std::string& name) {
  auto [it, added] = groups_.try_emplace(name);
  if (added) {
    it->second.name = name;
    group_order_.push_back(name);
  }
  return it->second;
}

InventoryHost& Inventory::GetOrAddHost(const std::string& name) {
  auto [it, added] = hosts_.try_emplace(name);
  if (added) {
    it->second.name = name;
    host_order_.push_back(name);
  }
  return it->second;
}

void Inventory::AddHost(const std::string& host, const std::string& group, std::optional<int> port,
                        const std::string& source) {
  const bool is_new = !HasHost(host);
  InventoryHost& h = GetOrAddHost(host);
  if (is_new) {
    h.source = source;
    // Ansible applies a "host:port" port only where the host first appears.
    if (port) SetHostVar(host, "ansible_port", *port);
  }
  InventoryGroup& g = GetOrAddGroup(group);
  if (std::find(g.hosts.begin(), g.hosts.end(), host) == g.hosts.end()) g.hosts.push_back(host);
}

bool Inventory::IsAncestor(const std::string& maybe_ancestor, const std::string& group) const {
  std::vector<std::string> todo = {group};
  std::set<std::string> seen;
  while (!todo.empty()) {
    const std::string current = todo.back();
    todo.pop_back();
    for (const std::string& parent : groups_.at(current).parents) {
      if (parent == maybe_ancestor) return true;
      if (seen.insert(parent).second) todo.push_back(parent);
    }
  }
  return false;
}

void Inventory::AddChildGroup(const std::string& parent, const std::string& child,
                              const SourceLocation& where) {
  if (parent == child) {
    throw ConfigError(where, "group '" + child + "' cannot be a child of itself");
  }
  if (child == "all") {
    throw ConfigError(where, "group 'all' cannot be a child of '" + parent +
                                 "': every group is already inside 'all'");
  }
  InventoryGroup& p = GetOrAddGroup(parent);
  InventoryGroup& c = GetOrAddGroup(child);
  if (std::find(p.children.begin(), p.children.end(), child) != p.children.end()) return;
  if (IsAncestor(child, parent)) {
    throw ConfigError(where, "making '" + child + "' a child of '" + parent +
                                 "' creates a cycle: '" + child + "' is already a parent of '" +
                                 parent + "'");
  }
  p.children.push_back(child);
  if (std::find(c.parents.begin(), c.parents.end(), parent) == c.parents.end()) {
    c.parents.push_back(parent);
  }
}

void Inventory::SetGroupVar(const std::string& group, const std::string& key, Value value,
                            const SourceLocation& where) {
  InventoryGroup& g = GetOrAddGroup(group);
  if (key == "ansible_group_priority") {
    // Ansible does int(value): a number or a numeric string.
    if (value.is_number()) {
      g.priority = value.get<int>();
    } else if (value.is_string()) {
      try {
        g.priority = std::stoi(value.get<std::string>());
      } catch (const std::exception&) {
        throw ConfigError(where, "group '" + group +
                                     "': ansible_group_priority must be a number, got '" +
                                     value.get<std::string>() + "'");
      }
    }
    return;
  }
  RegisterSecrets(key, value);
  g.inline_vars[key] = std::move(value);
}

void Inventory::SetHostVar(const std::string& host, const std::string& key, Value value) {
  RegisterSecrets(key, value);
  GetOrAddHost(host).inline_vars[key] = std::move(value);
}

void Inventory::AddGroupFileVars(const std::string& group, const Value& vars) {
  for (const auto& [k, v] : vars.items()) RegisterSecrets(k, v);
  Overlay(GetOrAddGroup(group).file_vars, vars);
}

void Inventory::AddHostFileVars(const std::string& host, const Value& vars) {
  for (const auto& [k, v] : vars.items()) RegisterSecrets(k, v);
  Overlay(GetOrAddHost(host).file_vars, vars);
}

void Inventory::Finalize() {
  // Every group without a parent hangs off "all", in the order groups were added.
  for (const std::string& name : group_order_) {
    if (name != "all" && groups_.at(name).parents.empty()) {
      AddChildGroup("all", name, SourceLocation{});
    }
  }
  // Depth: the longest path from "all" (the graph has no cycles by now).
  std::map<std::string, int> depth;
  auto depth_of = [&](auto&& self, const std::string& name) -> int {
    if (auto it = depth.find(name); it != depth.end()) return it->second;
    int d = 0;
    for (const std::string& parent : groups_.at(name).parents)
      d = std::max(d, self(self, parent) + 1);
    return depth[name] = d;
  };
  for (auto& [name, group] : groups_) group.depth = depth_of(depth_of, name);

  ComputeMembership();
  InventoryGroup& ungrouped = groups_.at("ungrouped");
  for (const std::string& host : host_order_) {
    const auto& mine = host_groups_[host];
    const bool in_ungrouped = std::count(mine.begin(), mine.end(), "ungrouped") != 0;
    const bool in_other = std::any_of(mine.begin(), mine.end(), [](const std::string& g) {
      return g != "all" && g != "ungrouped";
    });
    if (in_ungrouped && in_other) {
      std::erase(ungrouped.hosts, host);
    } else if (!in_ungrouped && !in_other) {
      ungrouped.hosts.push_back(host);
    }
  }
  ComputeMembership();

  for (auto& [name, group] : groups_) {
    group.vars = group.inline_vars;
    Overlay(group.vars, group.file_vars);
  }
  for (auto& [name, host] : hosts_) {
    host.vars = host.inline_vars;
    Overlay(host.vars, host.file_vars);
  }
  groups_magic_ = Value::object();
  for (const std::string& name : group_order_) groups_magic_[name] = HostsOfGroup(name);
}

void Inventory::ComputeMembership() {
  std::map<std::string, std::set<std::string>> sets;
  for (const auto& [name, group] : groups_) {
    for (const std::string& host : group.hosts) {
      std::vector<std::string> todo = {name};
      while (!todo.empty()) {
        const std::string current = todo.back();
        todo.pop_back();
        if (!sets[host].insert(current).second) continue;
        for (const std::string& parent : groups_.at(current).parents) todo.push_back(parent);
      }
    }
  }
  host_groups_.clear();
  for (const std::string& host : host_order_) {
    std::vector<std::string> list(sets[host].begin(), sets[host].end());
    // Ansible's sort_groups: depth, then priority, then name.
    std::sort(list.begin(), list.end(), [&](const std::string& a, const std::string& b) {
      const InventoryGroup& ga = groups_.at(a);
      const InventoryGroup& gb = groups_.at(b);
      return std::tie(ga.depth, ga.priority, ga.name) < std::tie(gb.depth, gb.priority, gb.name);
    });
    host_groups_[host] = std::move(list);
  }
}

std::vector<std::string> Inventory::GroupsOf(const std::string& host) const {
  auto it = host_groups_.find(host);
  return it == host_groups_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> Inventory::HostsOfGroup(const std::string& group) const {
  std::vector<std::string> result;
  if (!HasGroup(group)) return result;
  // Ansible's get_descendants(include_self, preserve_ordering), level by level.
  std::vector<std::string> order = {group};
  std::set<std::string> seen = {group};
  for (size_t i = 0; i < order.size(); ++i) {
    for (const std::string& child : groups_.at(order[i]).children) {
      if (seen.insert(child).second) order.push_back(child);
    }
  }
  std::set<std::string> added;
  for (const std::string& name : order) {
    for (const std::string& host : groups_.at(name).hosts) {
      if (added.insert(host).second) result.push_back(host);
    }
  }
  return result;
}

Value Inventory::HostInventoryVars(const std::string& host) const {
  Value vars = Value::object();
  auto host_it = hosts_.find(host);
  if (host_it == hosts_.end()) return vars;
  // ansible-core's default VARIABLE_PRECEDENCE: all_inventory,
  // groups_inventory, all_plugins_inventory, groups_plugins_inventory; then
  // the host's own inventory vars, then host_vars/.
  std::vector<const InventoryGroup*> others;
  for (const std::string& name : GroupsOf(host)) {
    if (name != "all") others.push_back(&groups_.at(name));
  }
  const InventoryGroup& all = groups_.at("all");
  Overlay(vars, all.inline_vars);
  for (const InventoryGroup* g : others) Overlay(vars, g->inline_vars);
  Overlay(vars, all.file_vars);
  for (const InventoryGroup* g : others) Overlay(vars, g->file_vars);
  Overlay(vars, host_it->second.inline_vars);
  Overlay(vars, host_it->second.file_vars);
  return vars;
}

Value Inventory::HostVars(const std::string& host) const {
  Value vars = HostInventoryVars(host);
  vars["inventory_hostname"] = host;
  vars["inventory_hostname_short"] = IsIpAddress(host) ? host : host.substr(0, host.find('.'));
  Value names = Value::array();
  for (const std::string& g : GroupsOf(host)) {
    if (g != "all") names.push_back(g);
  }
  std::sort(names.begin(), names.end());
  vars["group_names"] = std::move(names);
  vars["groups"] = groups_magic_;
  if (auto it = hosts_.find(host); it != hosts_.end() && !it->second.source.empty()) {
    const std::filesystem::path source = std::filesystem::absolute(it->second.source);
    vars["inventory_file"] = source.lexically_normal().string();
    vars["inventory_dir"] = source.lexically_normal().parent_path().string();
  }
  return vars;
}

}  // namespace deployctl
