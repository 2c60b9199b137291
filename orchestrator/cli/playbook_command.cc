#include <filesystem>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/tool_config.h"
#include "orchestrator/engine/playbook.h"
#include "orchestrator/engine/runner.h"
#include "orchestrator/inventory/inventory.h"
#include "remote/connect/connect.h"

namespace deployctl {

ExitCode RunPlaybookCommand(const CommonOptions& common, const PlaybookOptions& options) {
  // Everything is loaded and validated before any host is contacted.
  auto config = LoadToolConfig(std::filesystem::current_path().string());
  Inventory inventory = Inventory::Load(ResolveInventoryPath(common.inventory, config));
  Playbook playbook = LoadPlaybook(options.file);

  RunOptions run;
  run.forks = common.forks > 0 ? common.forks : (config && config->forks ? *config->forks : 10);
  run.check = common.check;
  run.limit = common.limit;
  run.tags = options.tags;
  run.skip_tags = options.skip_tags;
  run.extra_vars = common.extra_vars;
  if (!run.limit.empty() && inventory.Match(run.limit).empty()) {
    throw UsageError("--limit '" + run.limit + "' matches no host of the inventory");
  }

  auto reporter = common.output == "json" ? MakeJsonReporter(std::cout)
                                          : MakeTextReporter(std::cout, common.verbosity);
  PlaybookRunner runner(inventory, run, *reporter, remote::Connect);
  RunSummary summary = runner.Run(playbook);
  if (summary.exit_code() != ExitCode::kOk) {
    throw Error(summary.exit_code(), summary.FailureLine());
  }
  return ExitCode::kOk;
}

}  // namespace deployctl
