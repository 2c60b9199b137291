// deployctl.yml: the per-project config file read from the working
// directory when -i is not given (`inventory: PATH`, optional `forks`).
#pragma once

#include <optional>
#include <string>

namespace deployctl {

struct ToolConfig {
  std::string path;       // the file it came from ("" when none)
  std::string inventory;  // resolved against the file's directory
  std::optional<int> forks;
};

// Reads ./deployctl.yml if present; nullopt if there is none. Errors name
// the file, line and field.
std::optional<ToolConfig> LoadToolConfig(const std::string& directory);

// The inventory to use: `-i` if given, else deployctl.yml's, else a
// UsageError telling the user to pass -i or create deployctl.yml.
std::string ResolveInventoryPath(const std::string& cli_inventory,
                                 const std::optional<ToolConfig>& config);

}  // namespace deployctl
