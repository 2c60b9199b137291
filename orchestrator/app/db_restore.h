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
#include <optional>
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

// `<live>__failed_<ts>`: a restored database put aside again because the
// app failed its health check on it (db_replaced state: live).
std::string FailedDatabaseName(const std::string& live, long long ts);

// The timestamp of `<live>__before_<ts>`, or nullopt for any other name.
std::optional<long long> ReplacedDatabaseStamp(const std::string& live, const std::string& name);

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

struct StageScriptSpec {
  std::vector<std::string> exec;  // runs argv in the database container
  BackupEncoding encoding;
  std::string path;             // the backup file on the server
  unsigned long long size = 0;  // from the manifest
  std::string sha256;           // from the manifest
  std::string container_tmp;    // where the dump is staged in the container
};

// The server-side script that verifies a backup file and stages it for
// the restore, in one read of the file: its size and sha256 against the
// manifest, the codec's own checksum while decompressing into
// `container_tmp` in the database container (decompressed there when the
// container has the codec, else on the host and piped in), then the
// archive's table of contents (pg_restore -l; plain dumps: pg_dump's
// completion line at the end). Nothing in the database changes. The staged
// file is removed unless the script succeeds. Reports like the backup
// scripts (backup_pipeline.h): "sha256=<hex>" and "staged=<path>" on
// success, failed=<stage>/status=<n> otherwise (stages: setup, missing,
// size, read, checksum, sha256, decompress, stage, toc, tail, complete).
std::string BuildStageScript(const StageScriptSpec& spec);

struct RestoreScriptSpec {
  std::vector<std::string> exec;  // runs argv in the database container
  std::string user;               // database.user
  std::string format;             // custom | plain
  std::string target;             // the database to restore into (already created)
  std::string container_tmp;      // the staged dump (BuildStageScript)
  int jobs = 2;                   // pg_restore -j
};

// The server-side script that restores the staged dump into `target`:
// `pg_restore -j<jobs> --exit-on-error` (it needs a file it can seek in,
// hence the staging), or `psql -v ON_ERROR_STOP=1 -f` for plain dumps;
// then ANALYZE. The staged file is removed on every exit. Reports
// "restored=<target>" on success, failed=<stage>/status=<n> otherwise
// (stages: setup, pg_restore, psql, analyze).
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
