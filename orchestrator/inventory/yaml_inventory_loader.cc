#include "orchestrator/inventory/yaml_inventory_loader.h"

#include <spdlog/spdlog.h>

#include "orchestrator/inventory/host_range.h"
#include "orchestrator/inventory/inventory.h"
#include "orchestrator/yaml/yaml_value.h"

namespace deployctl {
namespace {

std::string KindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar: {
      const Value v = YamlToValue(node);
      if (v.is_boolean()) return "a boolean";
      if (v.is_number()) return "a number";
      return "a string";
    }
    default:
      return "nothing";
  }
}

class YamlInventoryLoader {
 public:
  YamlInventoryLoader(const std::string& file, Inventory& inventory)
      : file_(file), inventory_(inventory) {}

  void Load(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return;  // an empty file: no hosts
    if (!root.IsMap()) {
      throw ConfigError(LocationOf(root, file_),
                        "expected a mapping of group names at the top level (all:, or your "
                        "own groups, each with hosts:, children:, vars:), got " +
                            KindOf(root));
    }
    if (root["plugin"]) {
      throw ConfigError(LocationOf(root, file_),
                        "this is an inventory plugin configuration ('plugin:'); deployctl reads "
                        "YAML and INI inventories only");
    }
    for (const auto& kv : root) {
      const std::string name = Name(kv.first, "group name");
      if (!kv.second.IsMap() && !kv.second.IsNull()) {
        // Ansible warns and skips a top-level key that is not a group.
        spdlog::warn(
            "{}: skipping '{}': a group must be a mapping of hosts:, children:, "
            "vars:, got {}",
            Where(kv.first), name, KindOf(kv.second));
        continue;
      }
      Group(name, kv.second);
    }
  }

 private:
  std::string Where(const YAML::Node& node) const { return LocationOf(node, file_).ToString(); }

  // A key used as a group or host name: must be a string, as in Ansible.
  std::string Name(const YAML::Node& key, const std::string& what) const {
    if (!key.IsScalar()) {
      throw ConfigError(LocationOf(key, file_), "expected a " + what + ", got " + KindOf(key));
    }
    const Value typed = YamlToValue(key);
    if (!typed.is_string()) {
      throw ConfigError(LocationOf(key, file_), "the " + what + " " + key.Scalar() + " is " +
                                                    KindOf(key) +
                                                    ": put it in quotes to use it as a name");
    }
    if (key.Scalar().empty()) throw ConfigError(LocationOf(key, file_), "empty " + what);
    return key.Scalar();
  }

  // A section's entries; a bare string stands for {string: null}.
  std::vector<std::pair<YAML::Node, YAML::Node>> Section(const YAML::Node& key,
                                                         const YAML::Node& value,
                                                         const std::string& expected) const {
    std::vector<std::pair<YAML::Node, YAML::Node>> entries;
    if (value.IsNull()) return entries;
    if (value.IsScalar() && YamlToValue(value).is_string()) {
      entries.emplace_back(value, YAML::Node(YAML::NodeType::Null));
      return entries;
    }
    if (!value.IsMap()) {
      throw ConfigError(LocationOf(key, file_), "expected a mapping of " + expected + " under '" +
                                                    key.Scalar() + "', got " + KindOf(value));
    }
    for (const auto& kv : value) entries.emplace_back(kv.first, kv.second);
    return entries;
  }

  void Group(const std::string& group, const YAML::Node& data) {
    inventory_.GetOrAddGroup(group);
    if (data.IsNull()) return;
    for (const auto& kv : data) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (key == "vars") {
        for (const auto& [name, value] : Section(kv.first, kv.second, "variable names")) {
          inventory_.SetGroupVar(group, name.Scalar(), YamlToValue(value), LocationOf(name, file_));
        }
      } else if (key == "children") {
        for (const auto& [name_node, value] : Section(kv.first, kv.second, "group names")) {
          const std::string child = Name(name_node, "group name");
          if (!value.IsMap() && !value.IsNull()) {
            throw ConfigError(LocationOf(name_node, file_),
                              "expected group '" + child +
                                  "' to be a mapping of hosts:, "
                                  "children:, vars: (or empty), got " +
                                  KindOf(value));
          }
          Group(child, value);
          inventory_.AddChildGroup(group, child, LocationOf(name_node, file_));
        }
      } else if (key == "hosts") {
        for (const auto& [name_node, value] : Section(kv.first, kv.second, "host names")) {
          Hosts(group, name_node, value);
        }
      } else {
        spdlog::warn(
            "{}: skipping unexpected key '{}' in group '{}': only vars, children and "
            "hosts are valid",
            Where(kv.first), key, group);
      }
    }
  }

  void Hosts(const std::string& group, const YAML::Node& name_node, const YAML::Node& vars) {
    const std::string pattern = Name(name_node, "host name");
    if (!vars.IsMap() && !vars.IsNull()) {
      throw ConfigError(LocationOf(vars, file_), "expected a mapping of variables for host '" +
                                                     pattern + "' (or nothing), got " +
                                                     KindOf(vars));
    }
    HostEntry entry;
    try {
      entry = ParseHostEntry(pattern);
    } catch (const HostRangeError& e) {
      throw ConfigError(LocationOf(name_node, file_), e.what());
    }
    for (const std::string& host : entry.names) {
      inventory_.AddHost(host, group, entry.port, file_);
      if (vars.IsNull()) continue;
      for (const auto& kv : vars)
        inventory_.SetHostVar(host, kv.first.Scalar(), YamlToValue(kv.second));
    }
  }

  const std::string& file_;
  Inventory& inventory_;
};

}  // namespace

void LoadYamlInventory(const YAML::Node& root, const std::string& file, Inventory& inventory) {
  YamlInventoryLoader(file, inventory).Load(root);
}

}  // namespace deployctl
