#include "orchestrator/modules/schema_revision_module.h"

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/service_status.h"
#include "orchestrator/modules/compose_module.h"
#include "orchestrator/modules/migrate_module.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {

using remote::Command;
using remote::CommandResult;

std::optional<std::string> ParseSchemaRevision(std::string_view output) {
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    const std::string_view line = output.substr(start, end - start);
    start = end + 1;
    if (!line.starts_with("{")) continue;
    const Value json = Value::parse(line, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("schema_revision")) continue;
    if (!json["schema_revision"].is_string()) return std::nullopt;
    return json["schema_revision"].get<std::string>();
  }
  return std::nullopt;
}

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
    const std::string dir = app.release_dir(release);
    result.data = {{"release", release}, {"schema_revision", nullptr}, {"skipped", false}};
    if (!ctx.host.Stat(dir).is_dir) {
      if (ctx.check_mode) {
        result.msg = "would read the schema revision of database '" + app.database.name +
                     "' in release " + release;
        return result;
      }
      args.Fail("release directory " + dir + " does not exist on " + ctx.host.host());
    }
    const std::vector<std::string> compose = ComposeArgvOnHost(ctx.host, app, dir);
    const DatabaseConfig& db = app.database;

    std::vector<std::string> argv = {"sh", "-c", WaitUntilSucceedsScript(), "deployctl-wait",
                                     std::to_string(wait_timeout)};
    argv.insert(argv.end(), compose.begin(), compose.end());
    argv.insert(argv.end(), {"exec", "-T", db.service, "pg_isready", "-U", db.user, "-d", db.name});
    Command wait = Command::Argv(std::move(argv));
    wait.cwd = dir;
    wait.timeout_seconds = static_cast<int>(wait_timeout) + 60;
    wait.read_only = true;
    const CommandResult waited = ctx.host.Run(wait);
    if (!waited.ok()) {
      return Failure("database service '" + db.service + "' of " + app.name +
                     " did not accept connections within " + std::to_string(wait_timeout) +
                     " s on " + ctx.host.host() + ", so its schema revision cannot be read" +
                     (LastLines(waited.err, 3).empty() ? "" : ": " + LastLines(waited.err, 3)));
    }

    argv = compose;
    argv.insert(argv.end(), {"exec", "-T", db.service, "psql", "-X", "-q", "-A", "-t", "-v",
                             "ON_ERROR_STOP=1", "-U", db.user, "-d", db.name});
    Command read = Command::Argv(std::move(argv));
    read.cwd = dir;
    read.stdin_data = SchemaRevisionSql(db);
    read.timeout_seconds = 120;
    read.read_only = true;
    const CommandResult ran = ctx.host.Run(read);
    if (!ran.ok()) {
      const std::string why = LastLines(ran.err.empty() ? ran.out : ran.err, 5);
      return Failure("reading the schema revision of database '" + db.name + "' (service '" +
                     db.service + "') failed on " + ctx.host.host() + " (exit " +
                     std::to_string(ran.exit_status) + ")" + (why.empty() ? "" : ": " + why));
    }
    const std::optional<std::string> revision = ParseSchemaRevision(ran.out);
    if (!revision) {
      return Failure("no schema revision in psql's answer on " + ctx.host.host() +
                     (db.schema_revision_query.empty()
                          ? ""
                          : " (does apps." + app.name +
                                ".database.schema_revision_query return a row with a value?)"));
    }
    result.data["schema_revision"] = *revision;
    result.msg = "schema revision of database '" + db.name + "': " + *revision;
    return result;
  });
}

}  // namespace deployctl
