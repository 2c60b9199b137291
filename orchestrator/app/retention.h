// Retention: which releases and backups of an app a deploy removes
// (keep_releases, keep_backups, keep_days, keep_manual_backups,
// keep_safety_backups; named backups never). A pure plan, from the journal
// and the backup file names; release_prune carries it out.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/backup_naming.h"
#include "orchestrator/app/journal.h"
#include "orchestrator/core/value.h"

namespace deployctl {

struct BackupFile {
  std::string file;  // name in backups/, e.g. db_backup_1748602032.dump.zst
  BackupKind kind = BackupKind::kNamed;
  std::string key;  // automatic: the release id; manual/safety: the timestamp; named: the name
};

// A backup file by its name, read as ParseBackupFileName (backup_naming.h)
// reads it (db_backup_<release>|manual_<ts>|safety_<ts>|<name> with
// .dump.zst, .dump.gz or .sql.gz); nullopt for anything else (manifests,
// temp files, files deployctl did not name: never pruned). `manifest` is the backup's
// <file>.manifest.json when it has one: its "kind" (automatic, manual,
// safety, named) and "release" win over the name, so a named backup called
// "20240101" is never mistaken for an automatic one.
std::optional<BackupFile> ClassifyBackup(const std::string& file_name,
                                         const std::optional<Value>& manifest = std::nullopt);

struct PruneLimits {
  int keep_releases = 5;
  bool prune_backups = false;  // the app has a database
  int keep_backups = 5;
  int keep_days = 0;  // automatic backups younger than this are kept too
  long long now = 0;  // epoch seconds, for keep_days
  int keep_manual_backups = 10;
  int keep_safety_backups = 3;
};

struct PrunePlan {
  std::vector<std::string> remove_releases;  // ids, oldest first
  std::vector<std::string> keep_releases;    // ids, newest first
  std::vector<std::string> remove_backups;   // file names (their manifests go with them)
};

// What retention removes. A pure function: only the journal's statuses and
// id order count, never mtimes.
//  - Releases: `current` and the previous release are always kept;
//    keep_releases counts good (or live) releases including current, newest
//    first; bad and pending releases other than current are removed;
//    statuses this version does not know are left alone.
//  - Backups: automatic ones beyond keep_backups (newest release first) are
//    removed, except the automatic backups of current and of the previous
//    release and those younger than keep_days (their release id is the time
//    they were taken); manual ones beyond keep_manual_backups and safety ones beyond
//    keep_safety_backups (newest timestamp first); named ones never.
PrunePlan PlanPrune(const Journal& journal, const std::optional<std::string>& current,
                    const std::vector<BackupFile>& backups, const PruneLimits& limits);

}  // namespace deployctl
