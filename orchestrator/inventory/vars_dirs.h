// group_vars/ and host_vars/: variable files named after a group or host,
// found the way Ansible's host_group_vars plugin and DataLoader find them.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/core/value.h"

namespace deployctl {

class Inventory;

// The files for `name` in `dir` (e.g. "inventories/prod/group_vars"): the
// first of `name`, `name.yml`, `name.yaml`, `name.json` that exists; when
// it is a directory, every file in it and its subdirectories with one of
// those extensions (or none), in lexical order, skipping hidden files and
// editor backups (`~`). Empty when `dir` does not exist.
std::vector<std::string> FindVarsFiles(const std::string& dir, const std::string& name);

// The variables of those files merged in order (later files replace whole
// top-level keys). Empty files count as no variables; a file that is not a
// mapping throws ConfigError. Vault-encrypted files are refused.
Value LoadVarsFiles(const std::vector<std::string>& files);

// Loads `base`/group_vars and `base`/host_vars for every group and host of
// the inventory into their file_vars.
void LoadVarsDirs(Inventory& inventory, const std::string& base);

}  // namespace deployctl
