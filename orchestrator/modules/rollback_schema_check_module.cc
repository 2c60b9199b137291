#include "orchestrator/modules/rollback_schema_check_module.h"

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/rollback_schema.h"
#include "orchestrator/app/schema_revision.h"
#include "orchestrator/app/service_status.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {

std::vector<ArgSpec> RollbackSchemaCheckModule::args() const {
  return {{"app", true}, {"target", true}, {"recorded"}, {"backup"}, {"force"}, {"wait_timeout"}};
}

ModuleResult RollbackSchemaCheckModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const long long wait_timeout = args.Int("wait_timeout", 60);
    if (wait_timeout < 0) args.FailType("wait_timeout", "a number of seconds >= 0");
    const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
    RollbackSchemaFacts facts;
    facts.app = app.name;
    facts.target = args.RequiredString("target");
    if (auto recorded = args.String("recorded"); recorded && !recorded->empty()) {
      facts.recorded = recorded;
    }
    facts.backup = args.String("backup").value_or("");
    facts.force = args.Bool("force", false);

    ModuleResult result;
    if (!app.database.enabled) {
      result.msg = "skipped: apps." + app.name + ".database is not configured";
      result.data = {{"skipped", true}};
      return result;
    }
    std::optional<std::string> current;
    try {
      current = CurrentReleaseId(ctx.host, app);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::runtime_error& e) {
      facts.read_error = e.what();
    }
    if (facts.read_error.empty() && !current) {
      facts.read_error = "app '" + app.name + "' has no current release on " + ctx.host.host();
    }
    if (facts.read_error.empty()) {
      try {
        const SchemaReading reading =
            ReadSchemaRevision(ctx.host, app, *current, wait_timeout, ctx.check_mode);
        facts.now = reading.revision;
        facts.read_error = reading.error;
      } catch (const TaskError& e) {
        facts.read_error = e.what();
      }
    }

    const RollbackSchemaVerdict verdict = JudgeRollbackSchema(facts);
    result.msg = verdict.message;
    result.failed = verdict.refused;
    result.refused = verdict.refused;
    result.data = {{"schema_revision", facts.now ? Value(*facts.now) : Value(nullptr)},
                   {"recorded", facts.recorded ? Value(*facts.recorded) : Value(nullptr)},
                   {"warnings", Value::array()},
                   {"history_note", verdict.history_note}};
    if (!verdict.warning.empty()) result.data["warnings"].push_back(verdict.warning);
    return result;
  });
}

}  // namespace deployctl
