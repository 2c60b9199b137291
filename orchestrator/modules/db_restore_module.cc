#include "orchestrator/modules/db_restore_module.h"

#include <ctime>
#include <stdexcept>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/restore_database.h"
#include "orchestrator/modules/app_arg.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {

DbRestoreModule::DbRestoreModule(std::function<long long()> now) : now_(std::move(now)) {
  if (!now_) now_ = [] { return static_cast<long long>(std::time(nullptr)); };
}

std::vector<ArgSpec> DbRestoreModule::args() const {
  return {{"app", true},     {"backup", true},   {"target"}, {"safety_backup"},
          {"stop_services"}, {"start_services"}, {"jobs"},   {"sql"}};
}

ModuleResult DbRestoreModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const std::string backup = args.RequiredString("backup");
    const std::string target = args.Choice("target", {"live", "scratch"}, "live");
    const long long jobs = args.Int("jobs", 2);
    if (jobs < 1 || jobs > 64) args.FailType("jobs", "a number from 1 to 64");
    const AppConfig app = AppFromArgs(args, ctx.vars, /*require_database=*/true);
    RestoreRequest request;
    request.backup = backup;
    request.scratch = target == "scratch";
    request.safety_backup = args.Bool("safety_backup", true);
    request.stop_services = args.Bool("stop_services", true);
    request.start_services = args.Bool("start_services", true);
    request.jobs = static_cast<int>(jobs);
    request.sql_mode = args.Choice("sql", {"auto", "libpq", "psql"}, "auto");
    request.now = now_();
    request.check_mode = ctx.check_mode;
    RestoreOutcome outcome;
    try {
      outcome = RestoreDatabase(ctx.host, app, request);
    } catch (const std::invalid_argument& e) {
      throw ModuleError("db_restore: " + std::string(e.what()));
    }
    ModuleResult result;
    result.failed = outcome.failed;
    result.changed = outcome.changed;
    result.msg = std::move(outcome.message);
    result.data = std::move(outcome.data);
    return result;
  });
}

}  // namespace deployctl
