#include "orchestrator/inventory/vars_dirs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "orchestrator/inventory/inventory.h"
#include "orchestrator/yaml/yaml_value.h"

namespace fs = std::filesystem;

namespace deployctl {
namespace {

const char* const kExtensions[] = {".yml", ".yaml", ".json"};

bool HasVarsExtension(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext.empty() ||
         std::find(std::begin(kExtensions), std::end(kExtensions), ext) != std::end(kExtensions);
}

void CollectDir(const fs::path& dir, std::vector<std::string>& out) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& path : entries) {
    const std::string name = path.filename().string();
    if (name.starts_with(".") || name.ends_with("~")) continue;
    if (fs::is_directory(path)) {
      if (path.extension().empty()) CollectDir(path, out);
    } else if (fs::is_regular_file(path) && HasVarsExtension(path)) {
      out.push_back(path.string());
    }
  }
}

bool IsVaultEncrypted(const std::string& path) {
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  return first.starts_with("$ANSIBLE_VAULT;");
}

}  // namespace

std::vector<std::string> FindVarsFiles(const std::string& dir, const std::string& name) {
  std::vector<std::string> found;
  // Ansible skips names like "/path/to/chroot" that would escape the dir.
  if (name.empty() || name.starts_with("/") || !fs::is_directory(dir)) return found;
  const fs::path base = fs::path(dir) / name;
  for (const std::string ext : {"", ".yml", ".yaml", ".json"}) {
    const fs::path candidate = base.string() + ext;
    if (!fs::exists(candidate)) continue;
    if (fs::is_directory(candidate)) {
      CollectDir(candidate, found);
    } else {
      found.push_back(candidate.string());
    }
    break;
  }
  return found;
}

Value LoadVarsFiles(const std::vector<std::string>& files) {
  Value merged = Value::object();
  for (const std::string& file : files) {
    if (IsVaultEncrypted(file)) {
      throw ConfigError(SourceLocation{file, 1, 1},
                        "vault-encrypted variable files are not supported; decrypt it or "
                        "pass the values with -e");
    }
    const YAML::Node node = LoadYamlFile(file);
    if (!node.IsDefined() || node.IsNull()) continue;  // an empty file
    if (!node.IsMap()) {
      throw ConfigError(LocationOf(node, file),
                        std::string("expected a mapping of variable names to values, got ") +
                            (node.IsSequence() ? "a list" : "a scalar"));
    }
    const Value vars = YamlToValue(node);
    for (const auto& [key, value] : vars.items()) merged[key] = value;
  }
  return merged;
}

void LoadVarsDirs(Inventory& inventory, const std::string& base) {
  const fs::path root(base);
  for (const char* sub : {"group_vars", "host_vars"}) {
    const fs::path dir = root / sub;
    if (fs::exists(dir) && !fs::is_directory(dir)) {
      spdlog::warn("Found {} that is not a directory, skipping: {}", sub, dir.string());
    }
  }
  const std::string group_dir = (root / "group_vars").string();
  for (const auto& [name, group] : inventory.groups()) {
    Value vars = LoadVarsFiles(FindVarsFiles(group_dir, name));
    if (!vars.empty()) inventory.AddGroupFileVars(name, vars);
  }
  const std::string host_dir = (root / "host_vars").string();
  for (const std::string& name : inventory.host_names()) {
    Value vars = LoadVarsFiles(FindVarsFiles(host_dir, name));
    if (!vars.empty()) inventory.AddHostFileVars(name, vars);
  }
}

}  // namespace deployctl
