#include "orchestrator/modules/app_arg.h"

namespace deployctl {

AppConfig AppFromArgs(const ModuleArgs& args, const Value& vars, bool require_database) {
  AppConfig app;
  try {
    app = AppConfigForHost(args.RequiredString("app"), vars);
  } catch (const ConfigError& e) {
    throw ModuleError(e.what());
  }
  if (require_database && !app.database.enabled) {
    args.Fail("app '" + app.name + "' has no database section");
  }
  return app;
}

}  // namespace deployctl
