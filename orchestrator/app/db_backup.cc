#include "orchestrator/app/db_backup.h"

#include <stdexcept>

#include "orchestrator/app/backup_manifest.h"
#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/backup_pipeline.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/db_restore.h"
#include "orchestrator/core/error.h"

namespace deployctl {
namespace {

// Tried after the first when a manual or safety name is taken (two backups
// in one second).
constexpr int kMaxTimestampBumps = 60;

using Status = BackupOutcome::Status;

BackupOutcome Skipped(const std::string& reason) {
  BackupOutcome outcome;
  outcome.status = Status::kSkipped;
  outcome.message = "skipped: " + reason;
  outcome.reason = reason;
  return outcome;
}

// The steps that can fail once the request is good.
struct Backup {
  remote::Transport& host;
  const AppConfig& app;
  const BackupRequest& request;

  BackupKind kind() const { return request.kind; }

  // How a failure ends: a failed outcome, or a warning when the backup is
  // not required.
  BackupOutcome Failed(const std::string& reason) const {
    if (kind() == BackupKind::kAutomatic && !app.database.backup_required) {
      BackupOutcome outcome = Skipped(reason);
      outcome.message = "warning: no backup taken (database.backup_required is false): " + reason;
      return outcome;
    }
    BackupOutcome outcome;
    outcome.message = "db_backup: " + reason;
    outcome.reason = reason;
    return outcome;
  }

  // Nothing to back up yet: fine before a first deploy, an error when a
  // backup was asked for.
  BackupOutcome Unavailable(const std::string& reason) const {
    if (kind() == BackupKind::kAutomatic) return Skipped(reason);
    BackupOutcome outcome;
    outcome.message = "db_backup: cannot take a " + std::string(BackupKindName(kind())) +
                      " backup of '" + app.name + "': " + reason;
    outcome.reason = reason;
    return outcome;
  }

  // The id in the file name; throws TaskError when the backup exists.
  std::string ChooseId(const BackupDirState& dir) const {
    auto taken = [&](const std::string& id) {
      const std::string stem = BackupStem(kind(), id);
      for (const auto& entry : dir.names()) {
        auto info = ParseBackupFileName(entry);
        if (info && info->stem == stem) return entry;
      }
      return std::string();
    };
    switch (kind()) {
      case BackupKind::kAutomatic:
        if (auto existing = taken(*request.release); !existing.empty()) {
          throw TaskError("db_backup: the backup for release " + *request.release +
                          " already exists (" + app.backups_dir() + "/" + existing + ")");
        }
        return *request.release;
      case BackupKind::kNamed:
        if (!taken(*request.name).empty())
          throw TaskError("db_backup: backup '" + *request.name + "' already exists");
        return *request.name;
      case BackupKind::kManual:
      case BackupKind::kSafety:
        for (long long t = request.now; t <= request.now + kMaxTimestampBumps; ++t) {
          if (taken(std::to_string(t)).empty()) return std::to_string(t);
        }
        throw TaskError("db_backup: too many " + std::string(BackupKindName(kind())) +
                        " backups stamped around " + std::to_string(request.now));
    }
    return "";
  }

  BackupOutcome Run() const {
    if (!app.database.enabled) {
      return Skipped("app '" + app.name + "' has no database section");
    }
    BackupDirState dir;
    std::vector<std::string> compose;
    ServiceState service;
    try {
      dir = ProbeBackupDir(host, app);
      if (!dir.release_dir) {
        return Unavailable("nothing is deployed yet (" + app.current_link() +
                           " does not exist): first deploy");
      }
      compose = DetectComposeCommand(host);
      service = ProbeDatabaseService(host, compose, app, *dir.release_dir);
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
    std::string file;
    try {
      file = BackupFileName(kind(), ChooseId(dir), encoding);
    } catch (const TaskError& e) {
      BackupOutcome outcome;
      outcome.message = e.what();
      outcome.reason = e.what();
      return outcome;
    }
    const std::string path = app.backups_dir() + "/" + file;

    BackupScriptSpec spec;
    spec.exec =
        DatabaseContainerExec(host, app).value_or(DatabaseExecArgv(compose, app, *dir.release_dir));
    spec.database = app.database;
    if (request.database) spec.database.name = *request.database;
    spec.encoding = encoding;
    spec.backups_dir = app.backups_dir();
    spec.file = file;
    const remote::Command command = remote::Command::Shell(BuildBackupScript(spec));

    BackupOutcome outcome;
    outcome.file = file;
    outcome.path = path;
    const std::string what = "pg_dump of database '" + spec.database.name + "' (service '" +
                             app.database.service + "', " + encoding.format + " format, " +
                             encoding.compression + ")";
    if (request.check_mode) {
      host.Run(command);  // recorded, not run
      outcome.status = Status::kWouldTake;
      outcome.message =
          "would write " + path + ": " + what + ", verified, then " + ManifestFileName(file);
      return outcome;
    }

    const remote::CommandResult ran = host.Run(command);
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
    manifest.kind = std::string(BackupKindName(kind()));
    manifest.app = app.name;
    manifest.database = app.database.name;
    if (request.database) manifest.dumped_database = *request.database;
    manifest.compression = encoding.compression;
    manifest.format = encoding.format;
    manifest.release = request.release;
    manifest.live_release = request.live_release ? request.live_release : dir.live_release;
    manifest.created = request.now;
    try {
      // Last: a backup file with a manifest is complete.
      host.WriteFile(app.backups_dir() + "/" + ManifestFileName(file), RenderManifest(manifest),
                     0600);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::exception& e) {
      RemoveQuietly(path);
      return Failed("cannot write the manifest of " + path + " (" + e.what() + "); " + path +
                    " removed");
    }

    outcome.status = Status::kTaken;
    outcome.message = "wrote " + path + " (" + std::to_string(manifest.size) + " bytes, sha256 " +
                      manifest.sha256 + ", schema revision " +
                      manifest.schema_revision.value_or("none") + ")";
    outcome.size = manifest.size;
    outcome.sha256 = manifest.sha256;
    outcome.schema_revision = manifest.schema_revision;
    return outcome;
  }

  // A published file that ends up without a manifest is removed, so that
  // the name is free for the next try.
  void RemoveQuietly(const std::string& path) const {
    try {
      host.Run(remote::Command::Argv({"rm", "-f", "--", path}));
    } catch (const std::exception&) {
    }
  }
};

}  // namespace

BackupOutcome TakeBackup(remote::Transport& host, const AppConfig& app,
                         const BackupRequest& request) {
  try {
    return Backup{host, app, request}.Run();
  } catch (const Error& e) {
    // A file operation that failed on a reachable host; a lost host throws on.
    if (e.code() != ExitCode::kTaskFailed) throw;
    BackupOutcome outcome;
    outcome.message = e.what();
    outcome.reason = e.what();
    return outcome;
  }
}

}  // namespace deployctl
