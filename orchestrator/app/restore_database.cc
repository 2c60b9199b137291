#include "orchestrator/app/restore_database.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <stdexcept>

#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/backup_pipeline.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/backup_verify.h"
#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/db_backup.h"
#include "orchestrator/app/db_host_session.h"
#include "orchestrator/app/db_restore.h"
#include "orchestrator/core/redact.h"
#include "orchestrator/db/pg_session.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Restore {
  remote::Transport& host;
  const AppConfig& app;
  const RestoreRequest& request;
  const std::string& backup = request.backup;
  const bool scratch = request.scratch;
  const bool safety_backup = request.safety_backup;
  const bool stop_services = request.stop_services;
  const bool start_services = request.start_services;
  const int jobs = request.jobs;
  const std::string& sql_mode = request.sql_mode;
  const long long now = request.now;
  const bool check_mode = request.check_mode;

  DbHostSession db{host, app};
  Value data = Value::object();

  std::string Live() const { return "the live database '" + app.database.name + "'"; }

  RestoreOutcome Fail(const std::string& message) const {
    RestoreOutcome result;
    result.failed = true;
    result.message = "db_restore: " + message;
    result.data = data;
    return result;
  }

  // A failure before the swap: the new database is dropped.
  RestoreOutcome FailBeforeSwap(const std::string& database, const std::string& message) const {
    const bool dropped = db.Drop(database);
    return Fail(message + "; " + Live() + " was not changed" +
                (dropped ? " (" + database + " dropped)"
                         : " (could not drop " + database + ": drop it by hand)"));
  }

  // Best effort: the staged dump goes (the scripts remove it themselves
  // unless they were killed).
  void RemoveStaged(const std::string& container_tmp) const {
    try {
      host.Run(Command::Argv(RemoveStagedArgv(db.exec(), container_tmp)));
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::exception&) {
    }
  }

  RestoreOutcome Run() {
    data = {{"file", nullptr},
            {"target", scratch ? "scratch" : "live"},
            {"database", app.database.name},
            {"restored_database", nullptr},
            {"before_database", nullptr},
            {"safety_backup", nullptr},
            {"safety_backup_error", nullptr},
            {"swapped", false},
            {"stopped_services", Value::array()},
            {"tables", Value::object()},
            {"schema_revision", nullptr},
            {"restore_seconds", nullptr},
            {"unavailable_seconds", nullptr},
            {"sql_via", nullptr}};

    // Where things run: the database container of the current release.
    if (const std::string problem = db.Locate(); !problem.empty()) {
      return Fail(problem + "; nothing was changed");
    }

    // The backup and its manifest (the file itself is checked while it is
    // staged, below, before anything in the database changes).
    VerifyReport found;
    try {
      found = ReadBackupManifest(host, app, backup, db.backup_dir());
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::runtime_error& e) {
      return Fail("cannot read backup '" + backup + "': " + e.what() + "; nothing was changed");
    }
    if (!found.file.empty()) data["file"] = found.file;
    if (!found.ok || !found.manifest) {
      return Fail("backup '" + backup + "' refused: " + found.message + "; nothing was changed");
    }
    const BackupManifest& manifest = *found.manifest;
    const BackupEncoding encoding{manifest.format, manifest.compression};

    const std::string target_db = scratch ? ScratchDatabaseName(app.database.name, now)
                                          : RestoreNamesFor(app.database.name, now).restored;
    const RestoreNames names = scratch ? RestoreNames{app.database.name, target_db, ""}
                                       : RestoreNamesFor(app.database.name, now);
    if (check_mode) {
      RestoreOutcome result;
      result.changed = !scratch;
      result.message = scratch ? "would verify " + found.file +
                                     ", restore it into a scratch database " + target_db +
                                     ", compare row counts and drop it"
                               : "would verify " + found.file + ", restore it into " + target_db +
                                     ", swap it with '" + names.live + "' (kept as " +
                                     names.before + ") and take a safety backup of " + names.before;
      result.data = data;
      return result;
    }

    db.ConnectSql(sql_mode);
    data["sql_via"] = db.sql_via();

    // The databases involved: live must exist, the new names must not.
    {
      const CommandResult r = db.Sql({{"live", names.live},
                                      {"new", target_db},
                                      {"before", scratch ? target_db : names.before}},
                                     ExistingDatabasesSql(), true);
      if (!r.ok()) {
        return Fail(WithStderr("cannot list the databases", r) + "; nothing was changed");
      }
      bool live = false;
      for (const std::string& line : NonEmptyLines(r.out)) {
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

    // 1. Verify while staging: size, sha256 and the codec's checksum in one
    // read of the file, then the archive's table of contents.
    const Clock::time_point restore_start = Clock::now();
    StageScriptSpec stage;
    stage.exec = db.exec();
    stage.encoding = encoding;
    stage.path = found.path;
    stage.size = manifest.size;
    stage.sha256 = manifest.sha256;
    stage.container_tmp = "/tmp/deployctl-restore-" + target_db + ".dump";
    {
      const CommandResult ran = host.Run(Command::Shell(BuildStageScript(stage)));
      const ScriptReport report = ParseScriptReport(ran);
      if (!report.ok()) {
        RemoveStaged(stage.container_tmp);
        return Fail("backup '" + backup + "' refused: verification failed: " +
                    DescribeStageFailure(report, ran, found.path) + "; nothing was changed");
      }
    }

    // 2. The new database beside the live one.
    data["restored_database"] = target_db;
    {
      const CommandResult r =
          db.Sql({{"live", names.live}, {"new", target_db}}, CreateDatabaseLikeSql());
      if (!r.ok()) {
        RemoveStaged(stage.container_tmp);
        return FailBeforeSwap(target_db,
                              WithStderr("creating database '" + target_db + "' failed", r));
      }
    }

    // 3. The restore, on the server, from the staged dump.
    RestoreScriptSpec spec;
    spec.exec = db.exec();
    spec.user = app.database.user;
    spec.format = encoding.format;
    spec.target = target_db;
    spec.container_tmp = stage.container_tmp;
    spec.jobs = jobs;
    const CommandResult ran = host.Run(Command::Shell(BuildRestoreScript(spec)));
    const ScriptReport report = ParseScriptReport(ran);
    if (!report.ok()) {
      RemoveStaged(spec.container_tmp);
      return FailBeforeSwap(target_db, DescribeRestoreFailure(report, ran, found.file));
    }

    // 4. Row counts against the manifest.
    DatabaseConfig restored_db = app.database;
    restored_db.name = target_db;
    std::vector<std::string> metadata_argv = db.exec();
    for (auto& word : MetadataCommand(restored_db)) metadata_argv.push_back(word);
    Command metadata = Command::Argv(metadata_argv);
    metadata.stdin_data = MetadataSql(restored_db);
    metadata.read_only = true;
    const CommandResult counted = host.Run(metadata);
    if (!counted.ok()) {
      return FailBeforeSwap(target_db,
                            WithStderr("counting the rows of '" + target_db + "' failed", counted));
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
      const bool dropped = db.Drop(target_db);
      RestoreOutcome result;
      result.message = "verified " + found.file + " (size and sha256 match the manifest) and " +
                       "restored it into scratch database " + target_db + ": " +
                       std::to_string(meta.tables.size()) +
                       " tables, row counts match the manifest; " +
                       (dropped ? "dropped it" : "could not drop it: drop it by hand");
      result.data = data;
      result.failed = !dropped;
      return result;
    }

    // 5. The short step (what to stop is found out before it starts).
    DbHostSession::AppContainers running;
    if (stop_services) {
      try {
        running = db.FindAppContainers();
      } catch (const TaskError& e) {
        return FailBeforeSwap(target_db, e.what());
      }
    }
    const Clock::time_point down_start = Clock::now();
    if (const std::string problem =
            db.StopAndSwap(running, names.live, target_db, names.before, start_services);
        !problem.empty()) {
      return FailBeforeSwap(target_db, problem);
    }
    for (const auto& service : running.services) data["stopped_services"].push_back(service);
    data["swapped"] = true;
    data["before_database"] = names.before;

    // 6. Back up.
    if (start_services && !running.empty()) {
      const CommandResult r = db.StopOrStart(running, "start");
      if (!r.ok()) {
        return Fail(WithStderr("database '" + names.live + "' was restored from " + found.file +
                                   " (the old one is kept as '" + names.before +
                                   "'), but starting the services failed",
                               r));
      }
    }
    if (start_services) data["unavailable_seconds"] = Seconds(down_start);

    // 7. The safety backup: of the replaced database, now that nothing
    // writes to it, so it holds every write up to the swap. Until it exists
    // the replaced database itself is the copy (db_replaced never drops one
    // without it). A failure here is a warning: the restore is done.
    std::string safety_note;
    if (safety_backup) {
      BackupRequest request;
      request.kind = BackupKind::kSafety;
      request.database = names.before;
      request.now = now;
      request.check_mode = check_mode;
      const BackupOutcome safety = TakeBackup(host, app, request);
      if (safety.failed()) {
        data["safety_backup_error"] = safety.message;
        safety_note = "; warning: the safety backup of '" + names.before + "' failed (" +
                      safety.message + "): the database itself is kept";
      } else if (safety.file) {
        data["safety_backup"] = *safety.file;
        safety_note = ", safety backup " + *safety.file;
      }
    }

    RestoreOutcome result;
    result.changed = true;
    result.message = "restored '" + names.live + "' from " + found.file + " (" +
                     std::to_string(meta.tables.size()) + " tables, row counts match); the old " +
                     "database is kept as '" + names.before + "'" + safety_note;
    result.data = data;
    return result;
  }

  static std::string DescribeStageFailure(const ScriptReport& report, const CommandResult& ran,
                                          const std::string& path) {
    const std::string& stage = report.failed_stage;
    const std::string exit = " (exit " + report.status + ")";
    if (stage == "missing") return path + " does not exist";
    if (stage == "size" || stage == "sha256") {
      return WithStderr(stage + " does not match the manifest: the file is truncated or corrupt",
                        ran);
    }
    if (stage == "decompress") {
      return WithStderr(
          "decompressing " + path + " failed" + exit + ": the file is truncated or corrupt", ran);
    }
    if (stage == "toc" || stage == "tail" || stage == "complete") {
      return WithStderr(
          "the dump in " + path + " does not read as a complete pg_dump archive" + exit, ran);
    }
    if (stage == "stage") {
      return WithStderr("copying the dump into the database container failed" + exit, ran);
    }
    return WithStderr("checking " + path + " failed at '" + stage + "'" + exit, ran);
  }

  static std::string DescribeRestoreFailure(const ScriptReport& report, const CommandResult& ran,
                                            const std::string& file) {
    const std::string& stage = report.failed_stage;
    const std::string exit = " (exit " + report.status + ")";
    std::string what;
    if (stage == "setup") {
      what = "cannot make a temporary directory on the server";
    } else if (stage == "pg_restore") {
      what = "pg_restore failed" + exit;
    } else if (stage == "psql") {
      what = "psql failed while restoring the dump" + exit;
    } else if (stage == "analyze") {
      what = "ANALYZE of the restored database failed" + exit;
    } else {
      what = "the restore script was stopped" + exit;
    }
    return WithStderr("restoring " + file + " failed: " + what, ran);
  }
};

}  // namespace

RestoreOutcome RestoreDatabase(remote::Transport& host, const AppConfig& app,
                               const RestoreRequest& request) {
  Restore restore{host, app, request};
  return restore.Run();
}

}  // namespace deployctl
