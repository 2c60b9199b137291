// An Ansible-compatible inventory: hosts, groups (nested), and their
// variables, loaded from YAML or INI files (or a directory of them) with
// group_vars/ and host_vars/ beside them.
//
// The model follows ansible-core 2.14 (ansible/inventory/{data,group,host}.py)
// so that `deployctl inventory --list` prints what `ansible-inventory --list`
// prints for the same files. Not thread-safe while loading; const methods
// may be called from any thread once Load() has returned.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"

namespace deployctl {

struct InventoryGroup {
  std::string name;
  std::vector<std::string> hosts;       // direct members, in file order
  std::vector<std::string> children;    // child group names, in file order
  std::vector<std::string> parents;     // parent group names, in the order added
  Value vars = Value::object();         // inline vars merged with group_vars/<name>
  Value inline_vars = Value::object();  // from the inventory file only
  Value file_vars = Value::object();    // from group_vars/<name> only
  int depth = 0;                        // longest path from "all"; set by Finalize()
  int priority = 1;                     // ansible_group_priority
};

struct InventoryHost {
  std::string name;
  Value vars = Value::object();         // inline host vars merged with host_vars/<name>
  Value inline_vars = Value::object();  // from the inventory file only
  Value file_vars = Value::object();    // from host_vars/<name> only
  std::string source;                   // the inventory file that first named the host
};

class Inventory {
 public:
  // An empty inventory holding the groups "all" and "ungrouped".
  Inventory();

  // Loads a file (YAML or INI, told apart by extension and content), a
  // directory (every inventory file in it, as Ansible picks them), or a
  // comma-separated host list ("web1,web2,"), then group_vars/ and
  // host_vars/ beside the file (inside the directory). Malformed input
  // throws ConfigError with file:line:column and what was expected.
  static Inventory Load(const std::string& path);

  // Hosts in inventory order (the order Ansible lists them).
  const std::vector<std::string>& host_names() const { return host_order_; }
  const std::map<std::string, InventoryGroup>& groups() const { return groups_; }
  const std::map<std::string, InventoryHost>& hosts() const { return hosts_; }
  bool HasHost(const std::string& name) const { return hosts_.count(name) != 0; }
  bool HasGroup(const std::string& name) const { return groups_.count(name) != 0; }

  // Every group the host belongs to, directly or through children,
  // including "all" (and "ungrouped" when it is in no other group), in
  // variable precedence order: by depth, then ansible_group_priority, then
  // name. Empty for an unknown host.
  std::vector<std::string> GroupsOf(const std::string& host) const;

  // Hosts of a group, including those of its descendants (the group's own
  // first, then its children's level by level), without duplicates. Empty
  // for an unknown group.
  std::vector<std::string> HostsOfGroup(const std::string& group) const;

  // The host's variables with Ansible's precedence (hash_behaviour=replace):
  // inline vars of "all" < inline vars of its other groups (by depth,
  // priority, name) < group_vars/all < group_vars/<group> (same order) <
  // inline host vars < host_vars/<host>; plus inventory_hostname,
  // inventory_hostname_short, group_names (sorted, without "all"; Ansible
  // keeps "ungrouped"), groups, inventory_file and inventory_dir.
  Value HostVars(const std::string& host) const;

  // The same precedence over inventory variables only, without the magic
  // variables: what `ansible-inventory --list` shows under _meta.hostvars.
  Value HostInventoryVars(const std::string& host) const;

  // Hosts matching an Ansible host pattern: "all", "*", a group, a host,
  // globs (web*), regexes (~web[0-9]+), subscripts (web[0], web[1:3]),
  // unions "a:b" or "a,b", intersections "a:&b", exclusions "a:!b".
  // Unknown names match nothing. Result in inventory order, as Ansible
  // orders it. Throws UsageError for a bad regex or an out-of-range
  // subscript.
  std::vector<std::string> Match(const std::string& pattern) const;

  // What `ansible-inventory --list` prints, as JSON.
  Value ToListJson() const;

  // What `ansible-inventory --graph [root]` prints, ending in a newline.
  // Throws UsageError when `root` is not a group.
  std::string ToGraph(const std::string& root = "all") const;

  // For loaders, mirroring Ansible's InventoryData. Names are used as given.
  InventoryGroup& GetOrAddGroup(const std::string& name);
  InventoryHost& GetOrAddHost(const std::string& name);
  // Adds the host (and, if new, its ansible_port) and puts it in `group`.
  void AddHost(const std::string& host, const std::string& group, std::optional<int> port,
               const std::string& source);
  // Makes `child` (which must exist) a child of `parent`. A group that is its
  // own child, or an edge that closes a cycle, throws ConfigError at `where`.
  void AddChildGroup(const std::string& parent, const std::string& child,
                     const SourceLocation& where);
  // Inline variables; "ansible_group_priority" sets the priority instead,
  // as in Ansible (a non-numeric priority throws ConfigError at `where`).
  // Secret-looking values are registered for redaction.
  void SetGroupVar(const std::string& group, const std::string& key, Value value,
                   const SourceLocation& where = {});
  void SetHostVar(const std::string& host, const std::string& key, Value value);
  // Variables from group_vars/ and host_vars/ files (replacing per key).
  void AddGroupFileVars(const std::string& group, const Value& vars);
  void AddHostFileVars(const std::string& host, const Value& vars);

  // Ansible's reconcile step, run by Load() after parsing: groups without a
  // parent become children of "all", hosts in no group join "ungrouped"
  // (and leave it when they are in another group), depths are computed and
  // `vars` is refreshed. Call it after building an inventory by hand.
  void Finalize();

 private:
  // Groups in the order they were first added (Ansible's dict order).
  std::vector<std::string> group_order_;
  std::map<std::string, InventoryGroup> groups_;
  std::map<std::string, InventoryHost> hosts_;
  std::vector<std::string> host_order_;

  bool IsAncestor(const std::string& maybe_ancestor, const std::string& group) const;
  void ComputeMembership();

  // Filled by Finalize(): each host's groups in precedence order, and the
  // "groups" magic variable.
  std::map<std::string, std::vector<std::string>> host_groups_;
  Value groups_magic_ = Value::object();
};

}  // namespace deployctl
