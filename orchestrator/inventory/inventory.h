// An Ansible-compatible inventory: hosts, groups (nested), and their
// variables, loaded from YAML or INI files (or a directory of them) with
// group_vars/ and host_vars/ beside them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "orchestrator/core/error.h"
#include "orchestrator/vars/value.h"

namespace deployctl {

struct InventoryGroup {
  std::string name;
  std::vector<std::string> hosts;     // direct members, in file order
  std::vector<std::string> children;  // child group names, in file order
  Value vars = Value::object();       // inline vars merged with group_vars/<name>
};

struct InventoryHost {
  std::string name;
  Value vars = Value::object();  // inline host vars merged with host_vars/<name>
};

class Inventory {
 public:
  // Loads a file (YAML or INI, told apart by content) or a directory (every
  // inventory file in it), then group_vars/ and host_vars/ beside it.
  // Malformed input throws ConfigError with file:line:column and what was
  // expected.
  static Inventory Load(const std::string& path);

  // Hosts in inventory order (the order Ansible lists them).
  const std::vector<std::string>& host_names() const { return host_order_; }
  const std::map<std::string, InventoryGroup>& groups() const { return groups_; }
  bool HasHost(const std::string& name) const { return hosts_.count(name) != 0; }
  bool HasGroup(const std::string& name) const { return groups_.count(name) != 0; }

  // Every group the host belongs to, directly or through children,
  // including "all" (and "ungrouped" when it is in no other group).
  std::vector<std::string> GroupsOf(const std::string& host) const;

  // Hosts of a group, including those of its descendants, in inventory order.
  std::vector<std::string> HostsOfGroup(const std::string& group) const;

  // The host's variables with Ansible's precedence: all < parent groups <
  // child groups (by depth, then name) < host; plus inventory_hostname,
  // inventory_hostname_short, group_names, groups.
  Value HostVars(const std::string& host) const;

  // Hosts matching an Ansible host pattern: "all", "*", a group, a host,
  // globs (web*), unions "a:b" or "a,b", intersections "a:&b", exclusions
  // "a:!b". Unknown names match nothing. Result in inventory order.
  std::vector<std::string> Match(const std::string& pattern) const;

  // What `ansible-inventory --list` prints, as JSON.
  Value ToListJson() const;

  // What `ansible-inventory --graph` prints.
  std::string ToGraph(const std::string& root = "all") const;

  // For loaders.
  InventoryGroup& GetOrAddGroup(const std::string& name);
  InventoryHost& GetOrAddHost(const std::string& name);

 private:
  std::map<std::string, InventoryGroup> groups_;
  std::map<std::string, InventoryHost> hosts_;
  std::vector<std::string> host_order_;
};

}  // namespace deployctl
