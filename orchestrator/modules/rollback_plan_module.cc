#include "orchestrator/modules/rollback_plan_module.h"

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/rollback_plan.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {

std::vector<ArgSpec> RollbackPlanModule::args() const {
  return {{"app", true}, {"to"}};
}

ModuleResult RollbackPlanModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
    RollbackRequest request{app.name, ctx.host.host(), args.String("to").value_or("")};
    if (request.to == "previous") request.to.clear();

    const Journal journal = LoadJournal(ctx.host, app);
    const std::optional<std::string> current = ReadCurrentRelease(ctx.host, app);
    std::vector<BackupListing> backups;
    if (app.database.enabled) {
      try {
        backups = ListBackups(ctx.host, app);
      } catch (const remote::UnreachableError&) {
        throw;
      } catch (const std::runtime_error& e) {
        throw ModuleError(e.what());
      }
    }
    RollbackPlan plan;
    try {
      plan = PlanRollback(request, journal, current, backups);
    } catch (const RollbackRefused& e) {
      ModuleResult refused = Failure(e.what());
      refused.refused = true;
      return refused;
    }
    const std::string dir = app.release_dir(plan.target);
    if (!ctx.host.Stat(dir).is_dir) {
      ModuleResult refused = Failure("release " + plan.target + " of app '" + app.name +
                                     "' is in the journal on " + ctx.host.host() + " but " + dir +
                                     " does not exist: it cannot be a rollback target");
      refused.refused = true;
      return refused;
    }

    ModuleResult result;
    result.data = RollbackPlanToJson(plan);
    result.data["database"] = app.database.enabled;
    result.msg =
        "roll " + app.name + " back from release " + plan.current + " to " + plan.target +
        (plan.target_schema_revision ? " (schema revision " + *plan.target_schema_revision + ")"
                                     : "") +
        (app.database.enabled ? (plan.backup ? "; matching backup " + *plan.backup
                                             : "; no matching backup: " + plan.backup_problem)
                              : "");
    return result;
  });
}

}  // namespace deployctl
