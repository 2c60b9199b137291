// The restore saga on the database host: a stored backup of the app's
// database restored beside the live one, checked, then swapped in by
// rename while the app is stopped; the live database is never
// half-restored. The db_restore module runs it; its steps and guarantees
// are in orchestrator/modules/db_restore_module.h and docs/backups.md.
#pragma once

#include <string>

#include "orchestrator/app/app_config.h"
#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

struct RestoreRequest {
  std::string backup;          // a file name as `db list` shows it, a release id, or a backup name
  bool scratch = false;        // restore into <db>__verify_<ts>, compare, drop (db verify)
  bool safety_backup = true;   // after the swap, back up the replaced database
  bool stop_services = true;   // stop the app's other containers for the swap
  bool start_services = true;  // and start them again afterwards
  int jobs = 2;                // pg_restore -j
  std::string sql_mode = "auto";  // auto | libpq | psql
  long long now = 0;              // epoch seconds: the <ts> in database names
  bool check_mode = false;
};

struct RestoreOutcome {
  bool failed = false;
  bool changed = false;
  std::string message;  // ready for the user: what was done, or what failed and what is live
  // What the workflows branch on: file, target, database, restored_database,
  // before_database, safety_backup, safety_backup_error, swapped,
  // stopped_services, tables, schema_revision, restore_seconds,
  // unavailable_seconds, sql_via.
  Value data = Value::object();
};

// Throws UnreachableError when the host is lost, std::invalid_argument for
// a backup argument that is no name.
RestoreOutcome RestoreDatabase(remote::Transport& host, const AppConfig& app,
                               const RestoreRequest& request);

}  // namespace deployctl
