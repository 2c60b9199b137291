#include "orchestrator/modules/schema_revision_module.h"

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/schema_revision.h"
#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/release_arg.h"

namespace deployctl {

std::vector<ArgSpec> SchemaRevisionModule::args() const {
  return {{"app", true}, {"release_id"}, {"release"}, {"wait_timeout"}};
}

ModuleResult SchemaRevisionModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const long long wait_timeout = args.Int("wait_timeout", 60);
    if (wait_timeout < 0) args.FailType("wait_timeout", "a number of seconds >= 0");
    const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
    ModuleResult result;
    if (!app.database.enabled) {
      const std::string reason = "apps." + app.name + ".database is not configured";
      result.msg = "skipped: " + reason;
      result.data = {{"release", nullptr},
                     {"schema_revision", nullptr},
                     {"skipped", true},
                     {"reason", reason}};
      return result;
    }
    const std::string release = ReleaseIdFromArgs(args, ctx.host, app);
    const SchemaReading reading =
        ReadSchemaRevision(ctx.host, app, release, wait_timeout, ctx.check_mode);
    if (!reading.error.empty()) return Failure(reading.error);
    result.msg = reading.message;
    result.data = {
        {"release", release},
        {"schema_revision", reading.revision ? Value(*reading.revision) : Value(nullptr)},
        {"skipped", false}};
    return result;
  });
}

}  // namespace deployctl
