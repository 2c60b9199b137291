#include <filesystem>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/tool_config.h"
#include "orchestrator/inventory/inventory.h"

namespace deployctl {

ExitCode RunInventoryCommand(const CommonOptions& common, const InventoryOptions& options) {
  auto config = LoadToolConfig(std::filesystem::current_path().string());
  Inventory inventory = Inventory::Load(ResolveInventoryPath(common.inventory, config));
  if (!options.host.empty()) {
    if (!inventory.HasHost(options.host)) {
      throw UsageError("--host: no host '" + options.host + "' in the inventory");
    }
    Value vars = inventory.ToListJson()["_meta"]["hostvars"][options.host];
    std::cout << (vars.is_null() ? Value::object() : vars).dump(4) << "\n";
  } else if (options.graph) {
    std::cout << inventory.ToGraph();
  } else if (options.list) {
    std::cout << inventory.ToListJson().dump(4) << "\n";
  } else {
    throw UsageError("inventory: pass --list, --graph or --host HOST");
  }
  return ExitCode::kOk;
}

}  // namespace deployctl
