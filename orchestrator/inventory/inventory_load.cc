// Inventory::Load: which files make up an inventory source and which parser
// reads each (ansible/inventory/manager.py parse_source and the plugin
// order host_list, script, yaml, ini).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "orchestrator/inventory/host_range.h"
#include "orchestrator/inventory/ini_inventory_loader.h"
#include "orchestrator/inventory/inventory.h"
#include "orchestrator/inventory/vars_dirs.h"
#include "orchestrator/inventory/yaml_inventory_loader.h"
#include "orchestrator/yaml/yaml_value.h"

namespace fs = std::filesystem;

namespace deployctl {
namespace {

// Entries of an inventory directory that Ansible does not read
// (IGNORED_ALWAYS and the default INVENTORY_IGNORE_EXTS).
bool IgnoredInDirectory(const std::string& name) {
  if (name.starts_with(".") || name == "host_vars" || name == "group_vars" ||
      name == "vars_plugins") {
    return true;
  }
  for (const char* ext : {".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst",
                          ".orig", ".ini", ".cfg", ".retry"}) {
    if (name.ends_with(ext)) return true;
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(SourceLocation{path, 0, 0}, "cannot read inventory file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// For a file without a YAML extension that fails to parse as YAML: does it
// start like YAML ("all:", "---") rather than INI, so the YAML error is the
// useful one?
bool LooksLikeYaml(const std::string& text) {
  static const std::regex kYamlKey(R"(^[^\s\[=#;'"][^=]*:(\s.*)?$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#' || line[start] == ';') continue;
    return line.starts_with("---") || std::regex_match(line, kYamlKey);
  }
  return false;
}

void LoadFile(Inventory& inventory, const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  const std::string text = ReadFile(path);
  if (text.starts_with("$ANSIBLE_VAULT;")) {
    throw ConfigError(SourceLocation{path, 1, 1}, "vault-encrypted inventories are not supported");
  }
  const auto perms = fs::status(path).permissions();
  if (text.starts_with("#!") && (perms & fs::perms::owner_exec) != fs::perms::none) {
    throw ConfigError(SourceLocation{path, 1, 1},
                      "executable inventory scripts are not supported; write the hosts as a "
                      "YAML or INI inventory");
  }
  if (ext == ".toml") {
    throw ConfigError(SourceLocation{path, 0, 0},
                      "TOML inventories are not supported; use YAML or INI");
  }
  if (ext == ".yml" || ext == ".yaml" || ext == ".json") {
    LoadYamlInventory(LoadYamlText(text, path), path, inventory);
    return;
  }
  // Like Ansible with no extension: YAML if it is a YAML mapping, else INI.
  if (ext.empty()) {
    try {
      const YAML::Node root = LoadYamlText(text, path);
      if (root.IsMap()) {
        LoadYamlInventory(root, path, inventory);
        return;
      }
    } catch (const ConfigError&) {
      if (LooksLikeYaml(text)) throw;
    }
  }
  LoadIniInventory(text, path, inventory);
}

void LoadSource(Inventory& inventory, const std::string& path) {
  if (!fs::is_directory(path)) {
    LoadFile(inventory, path);
    return;
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(path)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!IgnoredInDirectory(name)) LoadSource(inventory, (fs::path(path) / name).string());
  }
}

// "web1,web2:2222," : Ansible's host_list plugin (no ranges).
void LoadHostList(Inventory& inventory, const std::string& list) {
  static const std::regex kHostPort(R"(^([^:\[\]]+):([0-9]{1,5})$)");
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    std::smatch m;
    if (std::regex_match(item, m, kHostPort)) {
      inventory.AddHost(m[1].str(), "ungrouped", std::stoi(m[2].str()), "");
    } else {
      inventory.AddHost(item, "ungrouped", std::nullopt, "");
    }
  }
}

}  // namespace

Inventory Inventory::Load(const std::string& path) {
  Inventory inventory;
  if (!fs::exists(path)) {
    if (path.find(',') == std::string::npos) {
      throw ConfigError(SourceLocation{path, 0, 0},
                        "inventory not found: no such file or directory");
    }
    LoadHostList(inventory, path);
    inventory.Finalize();
    return inventory;
  }
  LoadSource(inventory, path);
  // group_vars/ and host_vars/ live inside an inventory directory, or
  // beside an inventory file.
  const fs::path base = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
  LoadVarsDirs(inventory, base.empty() ? "." : base.string());
  inventory.Finalize();
  return inventory;
}

}  // namespace deployctl
