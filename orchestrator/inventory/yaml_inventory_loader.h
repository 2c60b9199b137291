// YAML inventories (ansible/plugins/inventory/yaml.py): top-level keys are
// groups ("all" among them), each a mapping of hosts:, children:, vars:.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace deployctl {

class Inventory;

// Adds the groups, hosts and inline variables of `root` (the parsed
// document of `file`) to `inventory`. Structure errors throw ConfigError
// at the offending key; keys Ansible merely warns about are logged and
// skipped, as Ansible does.
void LoadYamlInventory(const YAML::Node& root, const std::string& file, Inventory& inventory);

}  // namespace deployctl
