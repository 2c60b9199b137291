// The restore saga's plumbing on the app's database host (db_restore,
// db_replaced): where the database container is, database-level SQL on the
// maintenance database (libpq through an SSH forward, else psql in the
// container), and stopping/starting the app's other containers around a
// swap. One per run of a database step.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/db/pg_session.h"
#include "remote/command.h"
#include "remote/transport.h"

namespace deployctl {

class DbHostSession {
 public:
  DbHostSession(remote::Transport& host, const AppConfig& app);

  // Finds the current release and the running database container. Returns
  // why not ("nothing is deployed ...", "... is not running ...") or "".
  // Throws remote::UnreachableError.
  std::string Locate();

  // How database-level SQL runs: "auto" (libpq, else psql), "libpq" (throws
  // TaskError when it cannot connect) or "psql". Call after Locate().
  void ConnectSql(const std::string& mode);
  // How it ended up running, for data.sql_via.
  const std::string& sql_via() const { return sql_via_; }

  // Runs a SQL script (orchestrator/app/db_restore.h) on the maintenance
  // database with psql variables `vars`.
  remote::CommandResult Sql(const std::map<std::string, std::string>& vars, const std::string& sql,
                            bool read_only = false) const;

  // DROP DATABASE IF EXISTS ... WITH (FORCE); false when it failed.
  bool Drop(const std::string& database) const;

  // The names of the databases in the cluster.
  std::vector<std::string> Databases() const;

  // The running containers of the app's compose project other than the
  // database's, found by label with the docker CLI (fast: the window the
  // app is down in is mostly this tool's start-up time), else by compose.
  struct AppContainers {
    std::vector<std::string> ids;       // empty: use compose with `services`
    std::vector<std::string> services;  // names, for messages and compose
    bool empty() const { return services.empty(); }
  };
  AppContainers FindAppContainers() const;  // throws TaskError
  // `verb`: stop | start.
  remote::CommandResult StopOrStart(const AppContainers& containers, const std::string& verb) const;

  // The short step of every swap: stops `running`, then, in one
  // transaction, renames `live` -> `before` and `incoming` -> `live`
  // (SwapSql). Returns "" once swapped. Otherwise nothing was renamed: it
  // returns why ("stopping services failed: ...", "the swap failed: ..."),
  // having let connections into `live` again and started `running` again
  // (after a failed swap only with restart_on_failure).
  std::string StopAndSwap(const AppContainers& running, const std::string& live,
                          const std::string& incoming, const std::string& before,
                          bool restart_on_failure) const;

  const std::string& release_dir() const { return release_dir_; }
  // The backups directory as Locate() found it.
  const BackupDirState& backup_dir() const { return dir_; }
  const std::vector<std::string>& exec() const { return exec_; }  // runs argv in the db container

 private:
  remote::Transport& host_;
  const AppConfig& app_;
  BackupDirState dir_;
  std::string release_dir_;
  std::vector<std::string> compose_;  // ComposeArgv for the current release
  std::vector<std::string> exec_;
  std::unique_ptr<db::PgSession> pg_;
  std::string sql_via_;
};

// The non-empty lines of `text`, trailing spaces and CRs removed.
std::vector<std::string> NonEmptyLines(const std::string& text);

// The last lines of a command's stderr on one line, after `text`: "text: err".
std::string WithStderr(std::string text, const remote::CommandResult& r);

}  // namespace deployctl
