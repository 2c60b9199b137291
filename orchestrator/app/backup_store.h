// An app's backups as its database host has them: what `current` points
// to, whether the server has zstd, the backup files and their manifests,
// and whether the database service runs. Every probe here is a read-only
// command, so it runs in --check too. Used by db_backup, db_verify and the
// CLI's `db list`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_manifest.h"
#include "orchestrator/app/backup_naming.h"
#include "remote/transport.h"

namespace deployctl {

struct BackupFileEntry {
  std::string name;  // file name in <root>/backups
  unsigned long long size = 0;
  long long mtime = 0;
};

struct BackupDirState {
  // The release directory `current` resolves to (absolute), or nullopt when
  // there is no `current` (nothing deployed yet).
  std::optional<std::string> release_dir;
  // Its release id when `current` points at releases/<id>.
  std::optional<std::string> live_release;
  bool has_zstd = false;
  // Every regular file named db_backup_* in <root>/backups (backups,
  // manifests, partial files), in name order.
  std::vector<BackupFileEntry> entries;

  std::vector<std::string> names() const;
  bool Has(const std::string& name) const;
};

// One read-only command. Throws std::runtime_error ("cannot read <dir> on
// <host>: ...") when the probe itself fails.
BackupDirState ProbeBackupDir(remote::Transport& host, const AppConfig& app);

enum class ServiceState { kRunning, kStopped, kNoContainer };

// Whether the app's database service runs in the compose project of
// `release_dir`: `ps --services --filter status=running`, and when it does
// not, `ps -a -q <service>` to tell a stopped container from none at all.
// Throws std::runtime_error with compose's message when compose fails.
ServiceState ProbeDatabaseService(remote::Transport& host, const std::vector<std::string>& compose,
                                  const AppConfig& app, const std::string& release_dir);

// `db list`: one backup file.
struct BackupListing {
  std::string file;
  BackupKind kind = BackupKind::kNamed;
  std::string id;  // release id, epoch seconds or name (from the file name)
  unsigned long long size = 0;
  long long mtime = 0;  // the file's
  // "ok": manifest present and consistent with the file's name and size;
  // "missing": no manifest (incomplete: the backup did not finish);
  // "invalid": unreadable, or it does not match the file (see error).
  std::string manifest_state;
  std::string manifest_error;
  std::optional<BackupManifest> manifest;
  // The manifest's `created` when there is one, else the file's mtime.
  long long created() const { return manifest ? manifest->created : mtime; }
};

// The app's backups, oldest first (by created, then name). Reads the
// directory with one read-only command and each manifest with ReadFile.
// Partial files and files deployctl did not name are not listed.
std::vector<BackupListing> ListBackups(remote::Transport& host, const AppConfig& app);

// The same from an already-probed directory.
std::vector<BackupListing> ListBackups(remote::Transport& host, const AppConfig& app,
                                       const BackupDirState& dir);

}  // namespace deployctl
