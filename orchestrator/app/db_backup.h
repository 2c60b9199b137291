// Taking a backup of an app's PostgreSQL database on the host this runs on
// (the database host): the file in <root>/backups/, checked, then its
// manifest, written last. Used by the db_backup module and by a restore's
// safety backup. See docs/backups.md.
#pragma once

#include <optional>
#include <string>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_naming.h"
#include "remote/transport.h"

namespace deployctl {

struct BackupRequest {
  BackupKind kind = BackupKind::kAutomatic;
  std::optional<std::string> release;       // automatic: names the file db_backup_<release>
  std::optional<std::string> name;          // named
  std::optional<std::string> live_release;  // recorded; default: the host's current release
  // Safety only: dump `<db>__before_<ts>` (the database a restore replaced)
  // instead of the live one; the manifest records it as dumped_database.
  std::optional<std::string> database;
  long long now = 0;        // UTC epoch seconds: manual/safety file names, the manifest's `created`
  bool check_mode = false;  // record the pipeline (the transport does), say "would"
};

struct BackupOutcome {
  enum class Status {
    kTaken,      // the file and its manifest exist
    kWouldTake,  // --check
    kSkipped,    // nothing to back up (first deploy), or a failure tolerated by
                 // database.backup_required: false; `reason` says which
    kFailed,     // nothing left behind: a partial file is removed
  };
  Status status = Status::kFailed;
  std::string message;              // ready for the user
  std::string reason;               // skipped or failed: why
  std::optional<std::string> file;  // chosen name (taken, would take)
  std::optional<std::string> path;
  std::optional<unsigned long long> size;
  std::optional<std::string> sha256;
  std::optional<std::string> schema_revision;

  bool failed() const { return status == Status::kFailed; }
};

// Dumps the app's database (request.database for a safety backup) with the
// backup pipeline, then writes the manifest. An automatic backup is skipped
// when nothing is deployed yet or the database service has no container;
// any other kind fails then. Throws UnreachableError when the host is lost.
BackupOutcome TakeBackup(remote::Transport& host, const AppConfig& app,
                         const BackupRequest& request);

}  // namespace deployctl
