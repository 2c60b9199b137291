// The safe restore of a backup (see docs/backups.md): the pieces that
// `db_restore` (orchestrator/modules/db_restore_module.h) puts together.
// Commands are data here: SQL text and shell scripts that the module runs
// in the database container (`<compose> exec -T <service> psql ...`), so
// every database-level step works with only the container's own psql and
// the local socket's trust, and the data never leaves the server.
//
// The SQL texts use psql variables for every name that comes from config
// (`:"live"` as an identifier, `:'live'` as a literal), passed with
// `psql -v live=<name>`: no name is ever spliced into SQL text.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_naming.h"
#include "remote/command.h"

namespace deployctl {

// The databases one restore touches. `restored` is created beside `live`
// and, after the swap, takes its name; `live` is then kept as `before`.
struct RestoreNames {
  std::string live;      // database.name
  std::string restored;  // <live>__restore_<ts>
  std::string before;    // <live>__before_<ts>
};

// Names for a restore started at `ts` (epoch seconds). Throws
// std::invalid_argument when a name would be longer than PostgreSQL's 63
// bytes.
RestoreNames RestoreNamesFor(const std::string& live, long long ts);

// `<live>__verify_<ts>`: the scratch database of `db verify`.
std::string ScratchDatabaseName(const std::string& live, long long ts);

// The database psql connects to for database-level statements (never the
// one being renamed): "postgres", or "template1" when `live` is postgres.
std::string MaintenanceDatabase(const std::string& live);

// argv that runs psql in the database container: `exec` + psql -X -q -A -t
// -v ON_ERROR_STOP=1 -U <user> -d <database> -v k=v ... (SQL on stdin).
std::vector<std::string> PsqlArgv(const std::vector<std::string>& exec, const std::string& user,
                                  const std::string& database,
                                  const std::map<std::string, std::string>& vars);

// Prints one line per existing database among :'live', :'new', :'before'.
std::string ExistingDatabasesSql();

// Creates :"new" like :"live": same owner, encoding, collation, ctype,
// locale provider, tablespace and connection limit (from template0), then
// copies live's database-level settings (ALTER DATABASE/ROLE ... SET),
// grants (datacl) and comment. Run on the maintenance database.
std::string CreateDatabaseLikeSql();

// DROP DATABASE IF EXISTS :"new" WITH (FORCE).
std::string DropDatabaseSql();

// The short step: block new connections to :"live", terminate its
// sessions (waiting up to 5 s each), then in ONE transaction rename
// :"live" -> :"before" and :"new" -> :"live" and let connections into the
// kept database again. If the transaction fails nothing was renamed (but
// live still refuses connections: run AllowConnectionsSql).
std::string SwapSql();

// ALTER DATABASE :"live" ALLOW_CONNECTIONS true.
std::string AllowConnectionsSql();

struct RestoreScriptSpec {
  std::vector<std::string> exec;  // DatabaseExecArgv(...)
  std::string user;               // database.user
  BackupEncoding encoding;
  std::string path;           // the backup file on the server
  std::string target;         // the database to restore into (already created)
  std::string container_tmp;  // custom format: where the archive is staged in the container
  int jobs = 2;               // pg_restore -j
};

// The server-side script that restores a backup file into `target`:
// custom archives are decompressed into `container_tmp` inside the database
// container (pg_restore -j cannot read a pipe) and restored with
// `pg_restore -j<jobs> --exit-on-error`; plain dumps are piped through
// `psql -v ON_ERROR_STOP=1`. Then ANALYZE. The staged file is removed on
// every exit. Reports like the backup scripts (backup_pipeline.h):
// "restored=<target>" on success, failed=<stage>/status=<n> otherwise
// (stages: setup, decompress, stage, pg_restore, psql, analyze).
std::string BuildRestoreScript(const RestoreScriptSpec& spec);

// "rm -f <container_tmp>" in the container: cleanup after a killed script.
std::vector<std::string> RemoveStagedArgv(const std::vector<std::string>& exec,
                                          const std::string& container_tmp);

// The differences between the row counts a manifest recorded and the ones
// a restored database has, one text per table ("public.users: 42 rows in
// the backup, 41 restored"); empty when they agree.
std::vector<std::string> CompareRowCounts(const std::map<std::string, long long>& expected,
                                          const std::map<std::string, long long>& actual);

}  // namespace deployctl
