// The subcommands. Each returns the exit code; errors are thrown as
// deployctl::Error and printed by RunCli.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"

namespace deployctl {

struct CommonOptions {
  std::string inventory;
  std::vector<std::string> extra_var_args;   // -e
  std::vector<std::string> positional_vars;  // KEY=VALUE words
  Value extra_vars = Value::object();        // both, parsed
  std::string limit;
  int forks = 0;  // 0: deployctl.yml's, else 10
  int verbosity = 0;
  bool check = false;
  std::string output = "text";
};

struct PlaybookOptions {
  std::string file;
  std::vector<std::string> tags;
  std::vector<std::string> skip_tags;
};

struct InventoryOptions {
  bool list = false;
  bool graph = false;
  std::string host;
};

struct WorkflowOptions {
  int lock_wait = 0;  // seconds to wait for another run's lock
  bool yes = false;   // confirmation for destructive steps
};

struct RollbackOptions {
  std::string to;                 // --to RELEASE; empty: the previous release
  bool restore_database = false;  // --restore-database
  bool force = false;             // --force: roll code back although the schema moved on
};

struct DbOptions {
  std::string action;  // backup | list | restore | verify
  std::string name;    // db backup --name
  std::string backup;  // db restore|verify BACKUP
};

ExitCode RunDeployCommand(const CommonOptions& common, const WorkflowOptions& options);
ExitCode RunRollbackCommand(const CommonOptions& common, const WorkflowOptions& workflow,
                            const RollbackOptions& options);
ExitCode RunDbCommand(const CommonOptions& common, const WorkflowOptions& workflow,
                      const DbOptions& options);
ExitCode RunReleasesCommand(const CommonOptions& common);
ExitCode RunStatusCommand(const CommonOptions& common);
ExitCode RunUnlockCommand(const CommonOptions& common);
ExitCode RunPlaybookCommand(const CommonOptions& common, const PlaybookOptions& options);
ExitCode RunInventoryCommand(const CommonOptions& common, const InventoryOptions& options);

}  // namespace deployctl
