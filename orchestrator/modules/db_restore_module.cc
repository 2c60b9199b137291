#include "orchestrator/modules/db_restore_module.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <stdexcept>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/backup_pipeline.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/backup_verify.h"
#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/db_restore.h"
#include "orchestrator/core/redact.h"
#include "orchestrator/db/pg_session.h"
#include "orchestrator/modules/db_backup_module.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;
using Clock = std::chrono::steady_clock;

// The last lines of a command's stderr on one line.
std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text.size() > 2000 ? text.substr(text.size() - 2000) : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (!out.empty() && !out.ends_with("; ")) out += "; ";
      continue;
    }
    out += c;
  }
  while (out.ends_with("; ") || out.ends_with(' ')) out.pop_back();
  return out;
}

std::string WithErr(std::string text, const CommandResult& r) {
  const std::string err = OneLine(r.err);
  return err.empty() ? text : text + ": " + err;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Restore {
  ModuleContext& ctx;
  const AppConfig& app;
  std::string backup;
  bool scratch = false;
  bool safety_backup = true;
  bool stop_services = true;
  bool start_services = true;
  int jobs = 2;
  long long now = 0;

  std::vector<std::string> compose{};  // ComposeArgv for the current release
  std::vector<std::string> exec{};     // ... exec -T <service>
  std::string release_dir{};
  Value data = Value::object();

  std::string Live() const { return "the live database '" + app.database.name + "'"; }

  // Database-level SQL (create, rename, drop, checks) runs on the
  // maintenance database through libpq from the controller, over an SSH
  // forward to the database's port, when that works; else through psql in
  // the database container. Both run the same script text.
  std::unique_ptr<db::PgSession> pg{};
  std::string sql_mode = "auto";  // auto | libpq | psql

  // Sets up `pg` (or leaves it null and says why in data.sql_via).
  // Throws ModuleError only for sql: libpq.
  void ConnectSql() {
    const std::string maintenance = MaintenanceDatabase(app.database.name);
    if (sql_mode == "psql") {
      data["sql_via"] = "psql in the database container";
      return;
    }
    std::string why;
    try {
      Command settings = Command::Argv(PsqlArgv(exec, app.database.user, maintenance, {}));
      settings.stdin_data = "SHOW port;\nSHOW listen_addresses;\n";
      settings.read_only = true;
      const CommandResult shown = ctx.host.Run(settings);
      const std::vector<std::string> lines = SplitLines(shown.out);
      int port = 0;
      if (shown.ok() && lines.size() == 2) {
        try {
          port = std::stoi(lines[0]);
        } catch (const std::exception&) {
        }
      }
      if (port <= 0) throw std::runtime_error("cannot read the server's port");
      const std::string address = LoopbackOrFirst(lines[1]);
      if (address.empty()) throw std::runtime_error("the server does not listen on TCP");
      // The image's convention (POSTGRES_PASSWORD); without it libpq's own
      // PGPASSWORD / ~/.pgpass on the controller apply.
      std::vector<std::string> printenv = exec;
      printenv.insert(printenv.end(), {"sh", "-c", "printf %s \"${POSTGRES_PASSWORD:-}\""});
      Command env = Command::Argv(printenv);
      env.read_only = true;
      const CommandResult pw = ctx.host.Run(env);
      std::string password = pw.ok() ? pw.out : "";
      while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
        password.pop_back();
      }
      if (!password.empty()) RegisterSecret(password);
      const int local = ctx.host.OpenLocalForward(address, port);
      db::PgParams params;
      params.port = local;
      params.user = app.database.user;
      params.password = password;
      params.dbname = maintenance;
      pg = std::make_unique<db::PgSession>(params);
      data["sql_via"] = "libpq through an SSH forward to " + address + ":" + std::to_string(port) +
                        " on " + ctx.host.host();
      return;
    } catch (const remote::UnreachableError& e) {
      why = e.what();
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (sql_mode == "libpq") throw ModuleError("cannot reach the database with libpq: " + why);
    data["sql_via"] = "psql in the database container (libpq: " + Redact(why) + ")";
  }

  // "127.0.0.1" for a server listening on loopback or everywhere, else its
  // first address; "" when it listens on no TCP address.
  static std::string LoopbackOrFirst(const std::string& listen_addresses) {
    std::string first;
    size_t start = 0;
    while (start <= listen_addresses.size()) {
      size_t end = listen_addresses.find(',', start);
      if (end == std::string::npos) end = listen_addresses.size();
      std::string a = listen_addresses.substr(start, end - start);
      a.erase(0, a.find_first_not_of(' '));
      while (!a.empty() && a.back() == ' ') a.pop_back();
      if (a == "*" || a == "0.0.0.0" || a == "localhost" || a == "127.0.0.1") return "127.0.0.1";
      if (first.empty()) first = a;
      start = end + 1;
    }
    return first;
  }

  // Runs a SQL script (db_restore.h) on the maintenance database.
  CommandResult Sql(const std::map<std::string, std::string>& vars, const std::string& sql,
                    bool read_only = false) const {
    if (pg) {
      try {
        return CommandResult{0, pg->RunScript(sql, vars), ""};
      } catch (const db::PgError& e) {
        return CommandResult{1, "", e.what()};
      }
    }
    Command command = Command::Argv(
        PsqlArgv(exec, app.database.user, MaintenanceDatabase(app.database.name), vars));
    command.stdin_data = sql;
    command.read_only = read_only;
    return ctx.host.Run(command);
  }

  // Best effort: the half-restored (or scratch) database goes away.
  bool Drop(const std::string& database) const {
    try {
      return Sql({{"new", database}}, DropDatabaseSql()).ok();
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::exception&) {
      return false;
    }
  }

  ModuleResult Fail(const std::string& message) const {
    ModuleResult result = Failure("db_restore: " + message);
    result.data = data;
    return result;
  }

  // A failure before the swap: the new database is dropped.
  ModuleResult FailBeforeSwap(const std::string& database, const std::string& message) const {
    const bool dropped = Drop(database);
    return Fail(message + "; " + Live() + " was not changed" +
                (dropped ? " (" + database + " dropped)"
                         : " (could not drop " + database + ": drop it by hand)"));
  }

  ModuleResult Run() {
    data = {{"file", nullptr},
            {"target", scratch ? "scratch" : "live"},
            {"database", app.database.name},
            {"restored_database", nullptr},
            {"before_database", nullptr},
            {"safety_backup", nullptr},
            {"swapped", false},
            {"stopped_services", Value::array()},
            {"tables", Value::object()},
            {"schema_revision", nullptr},
            {"restore_seconds", nullptr},
            {"unavailable_seconds", nullptr},
            {"sql_via", nullptr}};

    // Where things run: the database container of the current release.
    BackupDirState dir;
    try {
      dir = ProbeBackupDir(ctx.host, app);
      if (!dir.release_dir) {
        return Fail("nothing is deployed on " + ctx.host.host() + " (" + app.current_link() +
                    " does not exist): there is no database to restore into");
      }
      release_dir = *dir.release_dir;
      const std::vector<std::string> cli = DetectComposeCommand(ctx.host);
      if (ProbeDatabaseService(ctx.host, cli, app, release_dir) != ServiceState::kRunning) {
        return Fail("the database service '" + app.database.service + "' is not running in " +
                    release_dir + "; nothing was changed");
      }
      compose = ComposeArgv(cli, app, release_dir);
      exec = DatabaseExecArgv(cli, app, release_dir);
      // The same container through the docker CLI when the host has one:
      // docker-compose v1 takes seconds to start and relays stdin itself.
      if (auto fast = DatabaseContainerExec(ctx.host, app)) exec = *fast;
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::runtime_error& e) {
      return Fail(e.what());
    }

    // 1. The file first: nothing changes for a backup that does not check out.
    VerifyReport verified;
    try {
      verified = VerifyBackup(ctx.host, app, backup);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::runtime_error& e) {
      return Fail("cannot verify backup '" + backup + "': " + e.what() + "; nothing was changed");
    }
    if (!verified.file.empty()) data["file"] = verified.file;
    if (!verified.ok || !verified.manifest) {
      return Fail("backup '" + backup + "' refused: " + verified.message + "; nothing was changed");
    }
    const BackupManifest& manifest = *verified.manifest;

    const std::string target_db = scratch ? ScratchDatabaseName(app.database.name, now)
                                          : RestoreNamesFor(app.database.name, now).restored;
    const RestoreNames names = scratch ? RestoreNames{app.database.name, target_db, ""}
                                       : RestoreNamesFor(app.database.name, now);
    if (ctx.check_mode) {
      ModuleResult result;
      result.changed = !scratch;
      result.msg = scratch ? "would restore " + verified.file + " into a scratch database " +
                                 target_db + ", compare row counts and drop it"
                           : "would take a safety backup, restore " + verified.file + " into " +
                                 target_db + ", then swap it with '" + names.live + "' (kept as " +
                                 names.before + ")";
      result.data = data;
      return result;
    }

    ConnectSql();

    // The databases involved: live must exist, the new names must not.
    {
      const CommandResult r = Sql({{"live", names.live},
                                   {"new", target_db},
                                   {"before", scratch ? target_db : names.before}},
                                  ExistingDatabasesSql(), true);
      if (!r.ok()) return Fail(WithErr("cannot list the databases", r) + "; nothing was changed");
      bool live = false;
      for (const std::string& line : SplitLines(r.out)) {
        if (line == names.live) live = true;
        if (line == target_db || (!scratch && line == names.before)) {
          return Fail("database '" + line + "' already exists; nothing was changed");
        }
      }
      if (!live) {
        return Fail("database '" + names.live + "' does not exist in service '" +
                    app.database.service + "'; nothing was changed");
      }
    }

    // 2. The safety backup of what is about to be replaced.
    if (!scratch && safety_backup) {
      const Value args = {{"app", app.name}, {"kind", "safety"}};
      ModuleContext sub{ctx.host, args, ctx.vars, ctx.check_mode, ctx.project_dir};
      const long long stamp = now;
      const ModuleResult safety = DbBackupModule([stamp] { return stamp; }).Run(sub);
      if (safety.failed) {
        return Fail("the safety backup failed (" + safety.msg + "); nothing was changed");
      }
      data["safety_backup"] = safety.data.contains("file") ? safety.data["file"] : Value(nullptr);
    }

    // 3. The new database beside the live one.
    const Clock::time_point restore_start = Clock::now();
    data["restored_database"] = target_db;
    {
      const CommandResult r =
          Sql({{"live", names.live}, {"new", target_db}}, CreateDatabaseLikeSql());
      if (!r.ok()) {
        return FailBeforeSwap(target_db,
                              WithErr("creating database '" + target_db + "' failed", r));
      }
    }

    // 4. The restore, streamed on the server.
    RestoreScriptSpec spec;
    spec.exec = exec;
    spec.user = app.database.user;
    spec.encoding = BackupEncoding{manifest.format, manifest.compression};
    spec.path = verified.path;
    spec.target = target_db;
    spec.container_tmp = "/tmp/deployctl-restore-" + target_db + ".dump";
    spec.jobs = jobs;
    const CommandResult ran = ctx.host.Run(Command::Shell(BuildRestoreScript(spec)));
    const ScriptReport report = ParseScriptReport(ran);
    if (!report.ok()) {
      if (spec.encoding.format == "custom") {
        try {
          ctx.host.Run(Command::Argv(RemoveStagedArgv(exec, spec.container_tmp)));
        } catch (const remote::UnreachableError&) {
          throw;
        } catch (const std::exception&) {
        }
      }
      return FailBeforeSwap(target_db, DescribeRestoreFailure(report, ran, verified.file));
    }

    // 5. Row counts against the manifest.
    DatabaseConfig restored_db = app.database;
    restored_db.name = target_db;
    std::vector<std::string> metadata_argv = exec;
    for (auto& word : MetadataCommand(restored_db)) metadata_argv.push_back(word);
    Command metadata = Command::Argv(metadata_argv);
    metadata.stdin_data = MetadataSql(restored_db);
    metadata.read_only = true;
    const CommandResult counted = ctx.host.Run(metadata);
    if (!counted.ok()) {
      return FailBeforeSwap(target_db,
                            WithErr("counting the rows of '" + target_db + "' failed", counted));
    }
    DatabaseMetadata meta;
    try {
      meta = ParseMetadata(counted.out);
    } catch (const std::invalid_argument& e) {
      return FailBeforeSwap(target_db, "counting the rows of '" + target_db + "': " + e.what());
    }
    for (const auto& [table, rows] : meta.tables) data["tables"][table] = rows;
    if (meta.schema_revision) data["schema_revision"] = *meta.schema_revision;
    const std::vector<std::string> problems = CompareRowCounts(manifest.tables, meta.tables);
    if (!problems.empty()) {
      std::string list;
      for (size_t i = 0; i < problems.size() && i < 5; ++i) list += (i ? "; " : "") + problems[i];
      if (problems.size() > 5) list += "; and " + std::to_string(problems.size() - 5) + " more";
      return FailBeforeSwap(target_db,
                            "the restored row counts differ from the backup's manifest: " + list);
    }
    data["restore_seconds"] = Seconds(restore_start);

    if (scratch) {
      const bool dropped = Drop(target_db);
      ModuleResult result;
      result.msg = "restored " + verified.file + " into scratch database " + target_db + ": " +
                   std::to_string(meta.tables.size()) + " tables, row counts match the manifest; " +
                   (dropped ? "dropped it" : "could not drop it: drop it by hand");
      result.data = data;
      result.failed = !dropped;
      return result;
    }

    // 6. The short step (what to stop is found out before it starts).
    AppContainers running;
    if (stop_services) {
      try {
        running = FindAppContainers();
      } catch (const ModuleError& e) {
        return FailBeforeSwap(target_db, e.what());
      }
    }
    const Clock::time_point down_start = Clock::now();
    const std::vector<std::string>& stopped = running.services;
    if (!running.empty()) {
      const CommandResult r = StopOrStart(running, "stop");
      if (!r.ok()) {
        StopOrStart(running, "start");
        return FailBeforeSwap(target_db, WithErr("stopping services failed", r));
      }
      for (const auto& s : stopped) data["stopped_services"].push_back(s);
    }
    const CommandResult swap =
        Sql({{"live", names.live}, {"new", target_db}, {"before", names.before}}, SwapSql());
    if (!swap.ok()) {
      const CommandResult allow = Sql({{"live", names.live}}, AllowConnectionsSql());
      if (start_services) StopOrStart(running, "start");
      std::string message = WithErr("the swap failed", swap);
      if (!allow.ok()) {
        message += "; connections to '" + names.live +
                   "' are still blocked: run ALTER DATABASE ... ALLOW_CONNECTIONS true";
      }
      return FailBeforeSwap(target_db, message);
    }
    data["swapped"] = true;
    data["before_database"] = names.before;

    // 7. Back up.
    if (start_services && !running.empty()) {
      const CommandResult r = StopOrStart(running, "start");
      if (!r.ok()) {
        return Fail(WithErr("database '" + names.live + "' was restored from " + verified.file +
                                " (the old one is kept as '" + names.before +
                                "'), but starting the services failed",
                            r));
      }
    }
    if (start_services) data["unavailable_seconds"] = Seconds(down_start);

    ModuleResult result;
    result.changed = true;
    result.msg = "restored '" + names.live + "' from " + verified.file + " (" +
                 std::to_string(meta.tables.size()) + " tables, row counts match); the old " +
                 "database is kept as '" + names.before + "'" +
                 (data["safety_backup"].is_string()
                      ? ", safety backup " + data["safety_backup"].get<std::string>()
                      : std::string());
    result.data = data;
    return result;
  }

  // The running containers of the app's compose project other than the
  // database's. Found by label with the docker CLI (fast: the window the
  // app is down in is mostly this tool's start-up time, and
  // docker-compose v1 takes seconds to start); without one, by compose.
  struct AppContainers {
    std::vector<std::string> ids;       // empty: use compose with `services`
    std::vector<std::string> services;  // names, for messages and compose
    bool empty() const { return services.empty(); }
  };

  AppContainers FindAppContainers() const {
    AppContainers found;
    Command ps = Command::Argv({"docker", "ps", "--filter",
                                "label=com.docker.compose.project=" + ComposeProjectLabel(app),
                                "--format", "{{.ID}} {{.Label \"com.docker.compose.service\"}}"});
    ps.read_only = true;
    const CommandResult r = ctx.host.Run(ps);
    if (r.ok()) {
      for (const std::string& line : SplitLines(r.out)) {
        const size_t space = line.find(' ');
        if (space == std::string::npos) continue;
        const std::string service = line.substr(space + 1);
        if (service == app.database.service) continue;
        found.ids.push_back(line.substr(0, space));
        if (std::find(found.services.begin(), found.services.end(), service) ==
            found.services.end()) {
          found.services.push_back(service);
        }
      }
      return found;
    }
    // No docker CLI: ask compose for the services (all of them; stopping a
    // stopped one is harmless, and start brings back only what ran).
    std::vector<std::string> argv = compose;
    argv.insert(argv.end(), {"ps", "--services", "--filter", "status=running"});
    Command command = Command::Argv(argv);
    command.read_only = true;
    const CommandResult listed = ctx.host.Run(command);
    if (!listed.ok())
      throw ModuleError(WithErr("listing the running compose services failed", listed));
    for (const std::string& line : SplitLines(listed.out)) {
      if (line != app.database.service) found.services.push_back(line);
    }
    return found;
  }

  // `verb`: stop | start.
  CommandResult StopOrStart(const AppContainers& containers, const std::string& verb) const {
    if (containers.empty()) return CommandResult{0, "", ""};
    std::vector<std::string> argv;
    if (!containers.ids.empty()) {
      argv = {"docker", verb};
      argv.insert(argv.end(), containers.ids.begin(), containers.ids.end());
    } else {
      argv = compose;
      argv.push_back(verb);
      argv.insert(argv.end(), containers.services.begin(), containers.services.end());
    }
    return ctx.host.Run(Command::Argv(argv));
  }

  static std::vector<std::string> SplitLines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty()) lines.push_back(line);
      start = end + 1;
    }
    return lines;
  }

  static std::string DescribeRestoreFailure(const ScriptReport& report, const CommandResult& ran,
                                            const std::string& file) {
    const std::string& stage = report.failed_stage;
    const std::string exit = " (exit " + report.status + ")";
    std::string what;
    if (stage == "setup") {
      what = "cannot make a temporary directory on the server";
    } else if (stage == "decompress") {
      what = "decompressing " + file + " failed" + exit;
    } else if (stage == "stage") {
      what = "copying the archive into the database container failed" + exit;
    } else if (stage == "pg_restore") {
      what = "pg_restore failed" + exit;
    } else if (stage == "psql") {
      what = "psql failed while restoring the dump" + exit;
    } else if (stage == "analyze") {
      what = "ANALYZE of the restored database failed" + exit;
    } else {
      what = "the restore script was stopped" + exit;
    }
    return WithErr("restoring " + file + " failed: " + what, ran);
  }
};

}  // namespace

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
    const std::string app_name = args.RequiredString("app");
    const std::string backup = args.RequiredString("backup");
    const std::string target = args.Choice("target", {"live", "scratch"}, "live");
    const long long jobs = args.Int("jobs", 2);
    if (jobs < 1 || jobs > 64) args.FailType("jobs", "a number from 1 to 64");
    AppConfig app;
    try {
      app = AppConfigForHost(app_name, ctx.vars);
    } catch (const ConfigError& e) {
      throw ModuleError(e.what());
    }
    if (!app.database.enabled) args.Fail("app '" + app.name + "' has no database section");
    Restore restore{ctx, app, backup};
    restore.scratch = target == "scratch";
    restore.safety_backup = args.Bool("safety_backup", true);
    restore.stop_services = args.Bool("stop_services", true);
    restore.start_services = args.Bool("start_services", true);
    restore.jobs = static_cast<int>(jobs);
    restore.sql_mode = args.Choice("sql", {"auto", "libpq", "psql"}, "auto");
    restore.now = now_();
    try {
      return restore.Run();
    } catch (const std::invalid_argument& e) {
      throw ModuleError("db_restore: " + std::string(e.what()));
    }
  });
}

}  // namespace deployctl
