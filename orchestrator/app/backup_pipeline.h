// The server-side shell scripts that make and check a backup. They run as
// one `sh -c` each (POSIX sh: dash on Debian, busybox ash elsewhere; no
// bash needed). POSIX sh has no `set -o pipefail`, so every stage of a
// pipeline writes its exit status to a file in a private temp dir
// (`{ cmd 2>"$st/stage.err"; echo $? >"$st/stage.rc"; } | ...`) and the
// script checks each one. Every value that comes from config or arguments
// is put in with ShellQuote; the script text is a snapshot in the tests.
//
// The dump never passes through the controller: the script prints only a
// small report on stdout:
//   success:  key=value lines (file, size, sha256; for a custom archive
//             pg_restore=server|container: where it was read to the end),
//             then "--- metadata" and the metadata lines (see
//             backup_metadata.h)
//   failure:  "failed=<stage>" and "status=<exit status>", exit 1; the
//             stage's stderr (last 2000 bytes) on stderr
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_naming.h"
#include "remote/command.h"

namespace deployctl {

// argv prefix that runs a command in the app's database container:
// <compose> -p <project> -f <release>/<file> --project-directory <release>
// exec -T <database.service>.
std::vector<std::string> DatabaseExecArgv(const std::vector<std::string>& compose,
                                          const AppConfig& app, const std::string& release_dir);

struct BackupScriptSpec {
  std::vector<std::string> exec;  // DatabaseExecArgv(...)
  DatabaseConfig database;
  BackupEncoding encoding;
  std::string backups_dir;
  std::string file;  // the final file name, e.g. db_backup_1748602032.dump.zst
};

// Makes <dir>/<file>: refuses when it exists; starts the metadata psql
// session (MetadataCommand) in the background, fed through a FIFO: it
// opens a REPEATABLE READ transaction and exports its snapshot; once the
// snapshot id is out (bounded wait; psql dying ends it), the script sends
// the metadata queries (counts run beside the dump, in that snapshot) and
// streams `pg_dump --snapshot=<id>` through the compressor into
// <file>.partial while hashing the bytes written; only after the dump has
// finished is the transaction committed and psql's input closed (on every
// failure path too). Checks every stage (the metadata session first: its
// early end also fails pg_dump); verifies the partial file (size,
// decompression, read to the end as BuildVerifyScript does; its sha256 is
// the streamed one, not read again); syncs it; links it to <file> (ln:
// fails rather than overwrite) and removes the partial name; syncs the
// directory. On any failure, or if the script is killed, the partial file
// is removed.
std::string BuildBackupScript(const BackupScriptSpec& spec);

struct VerifyScriptSpec {
  std::vector<std::string> exec;  // DatabaseExecArgv(...)
  BackupEncoding encoding;
  std::string path;  // the backup file
  std::optional<unsigned long long> size;
  std::string sha256;
  // The version of the pg_dump that made the dump (the manifest's
  // pg_dump_version, e.g. "15.18"); empty when unknown: pg_restore then
  // runs in the container.
  std::string pg_dump_version;
};

// Checks a backup file: its size and sha256 against the manifest's, that
// it decompresses (zstd/gzip check their own checksums while decompressing:
// what -t does), and that it is complete: a custom archive is read to the
// end by `pg_restore -f /dev/null` (which catches truncation; `pg_restore
// -l` does not), run on the server itself when its pg_restore's major
// version is at least pg_dump_version's, else in the database container
// (`exec`); a plain dump must end with pg_dump's "PostgreSQL database dump
// complete" line. The file is read once for decompression and once,
// concurrently, by sha256sum (from the cache).
std::string BuildVerifyScript(const VerifyScriptSpec& spec);

// What a script printed.
struct ScriptReport {
  std::string failed_stage;  // empty on success
  std::string status;        // the failed stage's exit status ("1", "141", "killed")
  std::map<std::string, std::string> values;
  std::string metadata;  // after the "--- metadata" line
  bool ok() const { return failed_stage.empty(); }
};
ScriptReport ParseScriptReport(const remote::CommandResult& result);

// One line for the user naming what failed, e.g.
// "pg_dump failed (exit 1): connection to server ... failed". `file` is
// the backup's path as the message should show it.
std::string DescribeFailure(const ScriptReport& report, const remote::CommandResult& result,
                            const BackupEncoding& encoding, const std::string& file);

}  // namespace deployctl
