#include "orchestrator/modules/db_verify_module.h"

#include <stdexcept>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_verify.h"
#include "orchestrator/modules/app_arg.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {

std::vector<ArgSpec> DbVerifyModule::args() const {
  return {{"app", true}, {"backup", true}};
}

ModuleResult DbVerifyModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const std::string backup = args.RequiredString("backup");
    const AppConfig app = AppFromArgs(args, ctx.vars, /*require_database=*/true);
    VerifyReport report;
    try {
      report = VerifyBackup(ctx.host, app, backup);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw ModuleError("db_verify: " + std::string(e.what()));
    }
    ModuleResult result;
    result.data = {{"file", report.file.empty() ? Value(nullptr) : Value(report.file)},
                   {"ok", report.ok},
                   {"size", report.size},
                   {"sha256", report.sha256.empty() ? Value(nullptr) : Value(report.sha256)}};
    result.failed = !report.ok;
    result.msg = report.ok ? report.message : "db_verify: " + report.message;
    return result;
  });
}

}  // namespace deployctl
