#include "orchestrator/modules/db_replaced_module.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/db_host_session.h"
#include "orchestrator/app/db_restore.h"
#include "orchestrator/modules/app_arg.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {
namespace {

using remote::CommandResult;

ModuleResult Failed(const std::string& message, Value data) {
  ModuleResult result = Failure("db_replaced: " + message);
  result.data = std::move(data);
  return result;
}

ModuleResult PutBack(ModuleContext& ctx, const AppConfig& app, DbHostSession& db,
                     const std::string& database, bool start_services, long long now, Value data) {
  const std::string live = app.database.name;
  const std::string failed = FailedDatabaseName(live, now);
  data["failed_database"] = failed;
  if (ctx.check_mode) {
    ModuleResult result;
    result.changed = true;
    result.msg = "would stop the app, put '" + database + "' back as '" + live +
                 "' and keep the current one as '" + failed + "'";
    result.data = std::move(data);
    return result;
  }
  const std::vector<std::string> existing = db.Databases();
  auto exists = [&](const std::string& name) {
    return std::find(existing.begin(), existing.end(), name) != existing.end();
  };
  if (!exists(database)) {
    return Failed("database '" + database + "' does not exist; nothing was changed", data);
  }
  if (exists(failed)) {
    return Failed("database '" + failed + "' already exists; nothing was changed", data);
  }
  const DbHostSession::AppContainers running = db.FindAppContainers();
  if (const std::string problem = db.StopAndSwap(running, live, database, failed, start_services);
      !problem.empty()) {
    return Failed(problem + "; '" + live + "' was not changed", data);
  }
  if (start_services) {
    const CommandResult r = db.StopOrStart(running, "start");
    if (!r.ok()) {
      return Failed(
          WithStderr("'" + database + "' is '" + live + "' again (the other one is kept as '" +
                         failed + "'), but starting the services failed",
                     r),
          data);
    }
  }
  ModuleResult result;
  result.changed = true;
  result.msg = "put '" + database + "' back as '" + live + "'; the one it replaced is kept as '" +
               failed + "'";
  result.data = std::move(data);
  return result;
}

ModuleResult Prune(ModuleContext& ctx, const AppConfig& app, DbHostSession& db, Value data) {
  const std::string live = app.database.name;
  // Newest first.
  std::vector<std::pair<long long, std::string>> replaced;
  for (const std::string& name : db.Databases()) {
    if (auto stamp = ReplacedDatabaseStamp(live, name)) replaced.emplace_back(*stamp, name);
  }
  std::sort(replaced.rbegin(), replaced.rend());
  std::set<std::string> backed_up;
  for (const BackupListing& listing : ListBackups(ctx.host, app)) {
    if (listing.kind == BackupKind::kSafety && listing.manifest_state == "ok" &&
        listing.manifest->dumped_database) {
      backed_up.insert(*listing.manifest->dumped_database);
    }
  }
  ModuleResult result;
  const size_t keep = static_cast<size_t>(app.database.keep_replaced_databases);
  for (size_t i = 0; i < replaced.size(); ++i) {
    const std::string& name = replaced[i].second;
    if (i < keep) {
      data["kept"].push_back(name);
    } else if (!backed_up.contains(name)) {
      data["kept"].push_back(name);
      data["kept_without_safety_backup"].push_back(name);
    } else {
      if (!ctx.check_mode && !db.Drop(name)) {
        return Failed("dropping '" + name + "' failed", data);
      }
      data["dropped"].push_back(name);
      result.changed = true;
    }
  }
  result.msg = (ctx.check_mode ? "would drop " : "dropped ") +
               std::to_string(data["dropped"].size()) + " replaced database(s), kept " +
               std::to_string(data["kept"].size());
  if (!data["kept_without_safety_backup"].empty()) {
    result.msg += " (" + std::to_string(data["kept_without_safety_backup"].size()) +
                  " beyond keep_replaced_databases: no safety backup of them)";
  }
  result.data = std::move(data);
  return result;
}

}  // namespace

DbReplacedModule::DbReplacedModule(std::function<long long()> now) : now_(std::move(now)) {
  if (!now_) now_ = [] { return static_cast<long long>(std::time(nullptr)); };
}

std::vector<ArgSpec> DbReplacedModule::args() const {
  return {{"app", true}, {"state", true}, {"database"}, {"start_services"}, {"sql"}};
}

ModuleResult DbReplacedModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const std::string state = args.Choice("state", {"live", "pruned"}, "");
    const auto database = args.String("database");
    const bool start_services = args.Bool("start_services", false);
    const std::string sql = args.Choice("sql", {"auto", "libpq", "psql"}, "auto");
    const AppConfig app = AppFromArgs(args, ctx.vars, /*require_database=*/true);
    if (state == "live") {
      if (!database) args.Fail("state: live needs 'database' (the replaced database to put back)");
      if (!ReplacedDatabaseStamp(app.database.name, *database)) {
        args.FailType("database",
                      "a database a restore replaced ('" + app.database.name + "__before_<ts>')");
      }
    } else if (database) {
      args.Fail("'database' is only for state: live");
    }
    Value data = {{"database", database ? Value(*database) : Value(nullptr)},
                  {"failed_database", nullptr},
                  {"dropped", Value::array()},
                  {"kept", Value::array()},
                  {"kept_without_safety_backup", Value::array()},
                  {"sql_via", nullptr}};
    DbHostSession db(ctx.host, app);
    if (const std::string problem = db.Locate(); !problem.empty()) {
      return Failed(problem + "; nothing was changed", data);
    }
    db.ConnectSql(sql);
    data["sql_via"] = db.sql_via();
    try {
      if (state == "live") return PutBack(ctx, app, db, *database, start_services, now_(), data);
      return Prune(ctx, app, db, data);
    } catch (const std::invalid_argument& e) {
      throw ModuleError("db_replaced: " + std::string(e.what()));
    }
  });
}

}  // namespace deployctl
