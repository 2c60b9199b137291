// Checking a stored backup: `db_verify`, and `deployctl db verify` /
// `db restore` (which verify before touching anything). The checks are
// BuildVerifyScript's (backup_pipeline.h), the same ones db_backup runs on
// every new file before publishing it.
#pragma once

#include <optional>
#include <string>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_manifest.h"
#include "orchestrator/app/backup_store.h"
#include "remote/transport.h"

namespace deployctl {

struct VerifyReport {
  bool ok = false;
  std::string file;     // the backup's file name (empty when the argument matched none)
  std::string path;     // <root>/backups/<file>
  std::string message;  // why it failed; "verified <path> (...)" when ok
  unsigned long long size = 0;
  std::string sha256;  // as computed from the file (ok), else as the manifest says
  std::optional<BackupManifest> manifest;
};

// Verifies the backup `argument` names (a file name as `db list` shows it,
// a release id or a name; never a path; see ResolveBackupArgument) on the
// app's database host. A backup that is missing, has no or a bad manifest,
// or fails a check gives ok=false and the reason. Throws std::runtime_error
// only when the checks cannot run (no compose, compose failing).
// Only the first part of VerifyBackup: finds the backup and reads its
// manifest (which must describe the file); ok=true then, with `manifest`,
// `size` and `sha256` from it. Reads nothing else of the file.
VerifyReport ReadBackupManifest(remote::Transport& host, const AppConfig& app,
                                const std::string& argument);
// The same, from an already-probed backups directory (ProbeBackupDir).
VerifyReport ReadBackupManifest(remote::Transport& host, const AppConfig& app,
                                const std::string& argument, const BackupDirState& dir);

VerifyReport VerifyBackup(remote::Transport& host, const AppConfig& app,
                          const std::string& argument);

}  // namespace deployctl
