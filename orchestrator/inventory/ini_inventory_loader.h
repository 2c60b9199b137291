// INI inventories (ansible/plugins/inventory/ini.py): [group] sections of
// host lines with inline key=value variables, [group:vars] and
// [group:children]; lines before the first section are ungrouped hosts.
#pragma once

#include <string>

namespace deployctl {

class Inventory;

// Adds the groups, hosts and inline variables in `text` (the contents of
// `file`) to `inventory`. Values are typed as Ansible types them, with
// Python's literal_eval (IniValue). Errors throw ConfigError "file:line:".
void LoadIniInventory(const std::string& text, const std::string& file, Inventory& inventory);

}  // namespace deployctl
