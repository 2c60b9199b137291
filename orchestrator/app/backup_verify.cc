#include "orchestrator/app/backup_verify.h"

#include <stdexcept>

#include "orchestrator/app/backup_naming.h"
#include "orchestrator/app/backup_pipeline.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/compose_cli.h"

namespace deployctl {

namespace {

VerifyReport ReadManifest(remote::Transport& host, const AppConfig& app,
                          const std::string& argument, const BackupDirState& dir) {
  VerifyReport report;
  std::vector<std::string> backups;
  for (const auto& name : dir.names()) {
    if (ParseBackupFileName(name)) backups.push_back(name);
  }
  try {
    report.file = ResolveBackupArgument(argument, backups);
  } catch (const std::invalid_argument& e) {
    report.message = std::string(e.what()) + " in " + app.backups_dir() + " on " + host.host();
    return report;
  }
  report.path = app.backups_dir() + "/" + report.file;
  const auto info = ParseBackupFileName(report.file);
  const std::string manifest_path = app.backups_dir() + "/" + ManifestFileName(report.file);

  std::optional<std::string> text;
  if (dir.Has(ManifestFileName(report.file))) text = host.ReadFile(manifest_path);
  if (!text) {
    report.message = report.path + " has no manifest (" + ManifestFileName(report.file) +
                     "): the backup did not complete";
    return report;
  }
  try {
    report.manifest = ParseManifest(*text);
  } catch (const std::invalid_argument& e) {
    report.message = manifest_path + ": " + e.what();
    return report;
  }
  const BackupManifest& manifest = *report.manifest;
  report.size = manifest.size;
  report.sha256 = manifest.sha256;
  const BackupEncoding encoding{manifest.format, manifest.compression};
  if (manifest.file != report.file || !(encoding == info->encoding)) {
    report.message = manifest_path + " describes " + manifest.file + " (" + manifest.format + ", " +
                     manifest.compression + "), not " + report.file;
    return report;
  }
  report.ok = true;
  report.message = "manifest of " + report.path + " read";
  return report;
}

}  // namespace

VerifyReport ReadBackupManifest(remote::Transport& host, const AppConfig& app,
                                const std::string& argument) {
  return ReadManifest(host, app, argument, ProbeBackupDir(host, app));
}

VerifyReport ReadBackupManifest(remote::Transport& host, const AppConfig& app,
                                const std::string& argument, const BackupDirState& dir) {
  return ReadManifest(host, app, argument, dir);
}

VerifyReport VerifyBackup(remote::Transport& host, const AppConfig& app,
                          const std::string& argument) {
  const BackupDirState dir = ProbeBackupDir(host, app);
  VerifyReport report = ReadManifest(host, app, argument, dir);
  if (!report.ok) return report;
  report.ok = false;
  const BackupManifest& manifest = *report.manifest;
  const BackupEncoding encoding{manifest.format, manifest.compression};

  VerifyScriptSpec spec;
  spec.encoding = encoding;
  spec.path = report.path;
  spec.size = manifest.size;
  spec.sha256 = manifest.sha256;
  spec.pg_dump_version =
      manifest.pg_dump_version;  // the server's pg_restore reads it if new enough
  if (encoding.format == "custom") {
    // pg_restore runs in the database container.
    if (!dir.release_dir) {
      report.message = "cannot verify " + report.file + ": nothing is deployed (" +
                       app.current_link() + " does not exist), and pg_restore runs in the " +
                       "database container";
      return report;
    }
    const auto compose = DetectComposeCommand(host);
    if (ProbeDatabaseService(host, compose, app, *dir.release_dir) != ServiceState::kRunning) {
      report.message = "cannot verify " + report.file + ": the database service '" +
                       app.database.service + "' is not running, and pg_restore runs in its " +
                       "container";
      return report;
    }
    spec.exec =
        DatabaseContainerExec(host, app).value_or(DatabaseExecArgv(compose, app, *dir.release_dir));
  }
  remote::Command command = remote::Command::Shell(BuildVerifyScript(spec));
  command.read_only = true;
  const remote::CommandResult result = host.Run(command);
  const ScriptReport script = ParseScriptReport(result);
  if (!script.ok()) {
    report.message = DescribeFailure(script, result, encoding, report.path);
    return report;
  }
  report.ok = true;
  report.sha256 = script.values.contains("sha256") ? script.values.at("sha256") : "";
  report.message = "verified " + report.path + " (" + std::to_string(report.size) +
                   " bytes, sha256 " + report.sha256 + ")";
  return report;
}

}  // namespace deployctl
