#include "orchestrator/modules/db_backup_module.h"

#include <ctime>
#include <stdexcept>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_manifest.h"
#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/backup_naming.h"
#include "orchestrator/app/backup_pipeline.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/db_restore.h"
#include "orchestrator/modules/app_arg.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {
namespace {

// Tried after the first when a manual or safety name is taken (two backups
// in one second).
constexpr int kMaxTimestampBumps = 60;

Value NullOr(const std::optional<std::string>& value) {
  return value ? Value(*value) : Value(nullptr);
}

// The result data, all keys always present.
Value ResultData(BackupKind kind) {
  return Value{{"file", nullptr},
               {"path", nullptr},
               {"size", nullptr},
               {"sha256", nullptr},
               {"kind", std::string(BackupKindName(kind))},
               {"skipped", false},
               {"reason", nullptr},
               {"schema_revision", nullptr}};
}

ModuleResult Skipped(BackupKind kind, const std::string& reason) {
  ModuleResult result;
  result.msg = "skipped: " + reason;
  result.data = ResultData(kind);
  result.data["skipped"] = true;
  result.data["reason"] = reason;
  return result;
}

// Runs the steps that can fail once the arguments are good; `failed` is
// how a failure ends (a failed result, or a warning when the backup is not
// required).
struct Backup {
  ModuleContext& ctx;
  const AppConfig& app;
  BackupKind kind;
  std::optional<std::string> release;
  std::optional<std::string> name;
  std::optional<std::string> live_release;
  std::optional<std::string> database;  // safety: dump this one, not database.name
  long long now;

  ModuleResult Failed(const std::string& reason) const {
    if (kind == BackupKind::kAutomatic && !app.database.backup_required) {
      ModuleResult result = Skipped(kind, reason);
      result.msg = "warning: no backup taken (database.backup_required is false): " + reason;
      return result;
    }
    ModuleResult result = Failure("db_backup: " + reason);
    result.data = ResultData(kind);
    result.data["reason"] = reason;
    return result;
  }

  // Nothing to back up yet: fine before a first deploy, an error when a
  // backup was asked for.
  ModuleResult Unavailable(const std::string& reason) const {
    if (kind == BackupKind::kAutomatic) return Skipped(kind, reason);
    ModuleResult result = Failure("db_backup: cannot take a " + std::string(BackupKindName(kind)) +
                                  " backup of '" + app.name + "': " + reason);
    result.data = ResultData(kind);
    result.data["reason"] = reason;
    return result;
  }

  // The id in the file name; throws ModuleError when the backup exists.
  std::string ChooseId(const BackupDirState& dir) const {
    auto taken = [&](const std::string& id) {
      const std::string stem = BackupStem(kind, id);
      for (const auto& entry : dir.names()) {
        auto info = ParseBackupFileName(entry);
        if (info && info->stem == stem) return entry;
      }
      return std::string();
    };
    switch (kind) {
      case BackupKind::kAutomatic:
        if (auto existing = taken(*release); !existing.empty()) {
          throw ModuleError("db_backup: the backup for release " + *release + " already exists (" +
                            app.backups_dir() + "/" + existing + ")");
        }
        return *release;
      case BackupKind::kNamed:
        if (!taken(*name).empty())
          throw ModuleError("db_backup: backup '" + *name + "' already exists");
        return *name;
      case BackupKind::kManual:
      case BackupKind::kSafety:
        for (long long t = now; t <= now + kMaxTimestampBumps; ++t) {
          if (taken(std::to_string(t)).empty()) return std::to_string(t);
        }
        throw ModuleError("db_backup: too many " + std::string(BackupKindName(kind)) +
                          " backups stamped around " + std::to_string(now));
    }
    return "";
  }

  ModuleResult Run() const {
    if (!app.database.enabled) {
      return Skipped(kind, "app '" + app.name + "' has no database section");
    }
    BackupDirState dir;
    std::vector<std::string> compose;
    ServiceState service;
    try {
      dir = ProbeBackupDir(ctx.host, app);
      if (!dir.release_dir) {
        return Unavailable("nothing is deployed yet (" + app.current_link() +
                           " does not exist): first deploy");
      }
      compose = DetectComposeCommand(ctx.host);
      service = ProbeDatabaseService(ctx.host, compose, app, *dir.release_dir);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::runtime_error& e) {
      return Failed(e.what());
    }
    if (service == ServiceState::kNoContainer) {
      return Unavailable("the database service '" + app.database.service +
                         "' has no container yet: first deploy");
    }
    if (service == ServiceState::kStopped) {
      return Failed("the database service '" + app.database.service +
                    "' is not running (its container is stopped in " + *dir.release_dir + ")");
    }

    const BackupEncoding encoding = ChooseEncoding(app.database.backup_format, dir.has_zstd);
    const std::string file = BackupFileName(kind, ChooseId(dir), encoding);
    const std::string path = app.backups_dir() + "/" + file;

    BackupScriptSpec spec;
    spec.exec = DatabaseContainerExec(ctx.host, app)
                    .value_or(DatabaseExecArgv(compose, app, *dir.release_dir));
    spec.database = app.database;
    if (database) spec.database.name = *database;
    spec.encoding = encoding;
    spec.backups_dir = app.backups_dir();
    spec.file = file;
    const remote::Command command = remote::Command::Shell(BuildBackupScript(spec));

    Value data = ResultData(kind);
    data["file"] = file;
    data["path"] = path;
    const std::string what = "pg_dump of database '" + spec.database.name + "' (service '" +
                             app.database.service + "', " + encoding.format + " format, " +
                             encoding.compression + ")";
    if (ctx.check_mode) {
      ctx.host.Run(command);  // recorded, not run
      ModuleResult result;
      result.changed = true;
      result.msg =
          "would write " + path + ": " + what + ", verified, then " + ManifestFileName(file);
      result.data = std::move(data);
      return result;
    }

    const remote::CommandResult ran = ctx.host.Run(command);
    const ScriptReport report = ParseScriptReport(ran);
    if (!report.ok()) return Failed(DescribeFailure(report, ran, encoding, path));

    BackupManifest manifest;
    try {
      const DatabaseMetadata meta = ParseMetadata(report.metadata);
      manifest.pg_dump_version = meta.pg_dump_version;
      manifest.server_version = meta.server_version;
      manifest.schema_revision = meta.schema_revision;
      manifest.tables = meta.tables;
      manifest.size = std::stoull(report.values.at("size"));
      manifest.sha256 = report.values.at("sha256");
    } catch (const std::exception& e) {
      RemoveQuietly(path);
      return Failed("unexpected output from the backup script (" + std::string(e.what()) + "); " +
                    path + " removed");
    }
    manifest.file = file;
    manifest.kind = std::string(BackupKindName(kind));
    manifest.app = app.name;
    manifest.database = app.database.name;
    if (database) manifest.dumped_database = *database;
    manifest.compression = encoding.compression;
    manifest.format = encoding.format;
    manifest.release = release;
    manifest.live_release = live_release ? live_release : dir.live_release;
    manifest.created = now;
    try {
      // Last: a backup file with a manifest is complete.
      ctx.host.WriteFile(app.backups_dir() + "/" + ManifestFileName(file), RenderManifest(manifest),
                         0600);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::exception& e) {
      RemoveQuietly(path);
      return Failed("cannot write the manifest of " + path + " (" + e.what() + "); " + path +
                    " removed");
    }

    ModuleResult result;
    result.changed = true;
    result.msg = "wrote " + path + " (" + std::to_string(manifest.size) + " bytes, sha256 " +
                 manifest.sha256 + ", schema revision " +
                 manifest.schema_revision.value_or("none") + ")";
    data["size"] = manifest.size;
    data["sha256"] = manifest.sha256;
    data["schema_revision"] = NullOr(manifest.schema_revision);
    result.data = std::move(data);
    return result;
  }

  // A published file that ends up without a manifest is removed, so that
  // the name is free for the next try.
  void RemoveQuietly(const std::string& path) const {
    try {
      ctx.host.Run(remote::Command::Argv({"rm", "-f", "--", path}));
    } catch (const std::exception&) {
    }
  }
};

}  // namespace

DbBackupModule::DbBackupModule(std::function<long long()> now) : now_(std::move(now)) {
  if (!now_) now_ = [] { return static_cast<long long>(std::time(nullptr)); };
}

std::vector<ArgSpec> DbBackupModule::args() const {
  return {{"app", true}, {"kind"}, {"release"}, {"name"}, {"live_release"}, {"database"}};
}

ModuleResult DbBackupModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const BackupKind kind = *ParseBackupKind(
        args.Choice("kind", {"automatic", "manual", "named", "safety"}, "automatic"));
    const auto release = args.String("release");
    const auto backup_name = args.String("name");
    const auto live_release = args.String("live_release");
    if (kind == BackupKind::kAutomatic && !release) {
      args.Fail("an automatic backup needs 'release' (the release it is taken for)");
    }
    if (release && !IsValidReleaseId(*release)) args.FailType("release", "a release id (digits)");
    if (live_release && !IsValidReleaseId(*live_release)) {
      args.FailType("live_release", "a release id (digits)");
    }
    if (kind == BackupKind::kNamed) {
      if (!backup_name) args.Fail("a named backup needs 'name'");
      if (auto problem = BackupNameProblem(*backup_name)) {
        args.Fail("backup name '" + *backup_name + "' " + *problem);
      }
    } else if (backup_name) {
      args.Fail("'name' is only for kind: named");
    }
    const auto database = args.String("database");
    if (database && kind != BackupKind::kSafety) {
      args.Fail("'database' is only for kind: safety (the database a restore replaced)");
    }
    const AppConfig app = AppFromArgs(args, ctx.vars, /*require_database=*/false);
    if (database && !ReplacedDatabaseStamp(app.database.name, *database)) {
      args.FailType("database",
                    "a database a restore replaced ('" + app.database.name + "__before_<ts>')");
    }
    const Backup backup{ctx, app, kind, release, backup_name, live_release, database, now_()};
    return backup.Run();
  });
}

}  // namespace deployctl
