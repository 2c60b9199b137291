#include "orchestrator/cli/tool_config.h"

#include <filesystem>

#include "orchestrator/yaml/yaml_value.h"

namespace deployctl {

std::optional<ToolConfig> LoadToolConfig(const std::string& directory) {
  const std::filesystem::path file = std::filesystem::path(directory) / "deployctl.yml";
  if (!std::filesystem::exists(file)) return std::nullopt;
  YAML::Node root = LoadYamlFile(file.string());
  ToolConfig config;
  config.path = file.string();
  if (!root.IsMap()) throw ConfigError(LocationOf(root, config.path), "expected a mapping");
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const SourceLocation where = LocationOf(kv.second, config.path);
    if (key == "inventory") {
      if (!kv.second.IsScalar()) throw ConfigError(where, "'inventory' must be a path");
      std::filesystem::path inv = kv.second.Scalar();
      config.inventory =
          (inv.is_absolute() ? inv : std::filesystem::path(directory) / inv).string();
    } else if (key == "forks") {
      Value v = YamlToValue(kv.second);
      if (!v.is_number_integer() || v.get<int>() < 1) {
        throw ConfigError(where, "'forks' must be a positive integer");
      }
      config.forks = v.get<int>();
    } else {
      throw ConfigError(LocationOf(kv.first, config.path),
                        "unknown setting '" + key + "' (known: inventory, forks)");
    }
  }
  return config;
}

std::string ResolveInventoryPath(const std::string& cli_inventory,
                                 const std::optional<ToolConfig>& config) {
  if (!cli_inventory.empty()) return cli_inventory;
  if (config && !config->inventory.empty()) return config->inventory;
  throw UsageError(
      "no inventory: pass -i INVENTORY or create deployctl.yml with 'inventory: PATH' in the "
      "working directory");
}

}  // namespace deployctl
