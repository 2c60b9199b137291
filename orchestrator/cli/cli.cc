#include "orchestrator/cli/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/extra_vars.h"
#include "orchestrator/core/error.h"
#include "orchestrator/core/redact.h"
#include "orchestrator/core/spelling.h"

namespace deployctl {
namespace {

const std::vector<std::string> kCommands = {"deploy", "rollback", "releases", "db",
                                            "status", "unlock",   "playbook", "inventory"};

void SetUpLogging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("deployctl");
  logger->set_pattern("%^%l%$ %v");
  logger->set_level(verbosity >= 2   ? spdlog::level::trace
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

// Options every command takes.
void AddCommonOptions(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("-i,--inventory", o.inventory, "inventory file or directory");
  cmd.add_option("-e,--extra-vars", o.extra_var_args, "extra variables: KEY=VALUE, JSON or @FILE")
      ->take_all();
  cmd.add_option("-l,--limit", o.limit, "further limit hosts to a pattern");
  cmd.add_option("-f,--forks", o.forks, "hosts run in parallel (default 10)")
      ->check(CLI::PositiveNumber);
  cmd.add_flag("-v,--verbose", o.verbosity, "show remote commands (-vv: more)");
  cmd.add_option("--output", o.output, "text or json")->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"deployctl: deploy apps over SSH, with a database backup before every deploy",
               "deployctl"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(DEPLOYCTL_VERSION));

  CommonOptions common;
  PlaybookOptions playbook;
  InventoryOptions inventory;

  CLI::App* playbook_cmd =
      app.add_subcommand("playbook", "run any playbook (ansible-playbook's role)");
  AddCommonOptions(*playbook_cmd, common);
  playbook_cmd->add_option("file", playbook.file, "the playbook")->required();
  playbook_cmd->add_option("vars", common.positional_vars, "KEY=VALUE extra variables");
  playbook_cmd->add_flag("-C,--check", common.check, "report what would change; change nothing");
  playbook_cmd->add_option("-t,--tags", playbook.tags, "only tasks with these tags")
      ->delimiter(',');
  playbook_cmd->add_option("--skip-tags", playbook.skip_tags, "skip tasks with these tags")
      ->delimiter(',');

  WorkflowOptions workflow;
  CLI::App* deploy_cmd =
      app.add_subcommand("deploy", "deploy an app: backup, release, switch, restart, health check");
  AddCommonOptions(*deploy_cmd, common);
  deploy_cmd->add_option("vars", common.positional_vars, "app=NAME and other KEY=VALUE variables");
  deploy_cmd->add_flag("-C,--check", common.check, "print the plan; change nothing");
  deploy_cmd->add_flag("-y,--yes", workflow.yes, "confirm destructive steps without asking");
  deploy_cmd
      ->add_option("--lock-wait", workflow.lock_wait, "wait up to SECONDS for another run's lock")
      ->check(CLI::NonNegativeNumber);

  RollbackOptions rollback;
  CLI::App* rollback_cmd = app.add_subcommand(
      "rollback", "switch back to the previous release (or --to), optionally with its database");
  AddCommonOptions(*rollback_cmd, common);
  rollback_cmd->add_option("vars", common.positional_vars,
                           "app=NAME and other KEY=VALUE variables");
  rollback_cmd->add_option("--to", rollback.to,
                           "the release to go back to (default: the previous one)");
  rollback_cmd->add_flag("--restore-database", rollback.restore_database,
                         "also restore the backup taken before the undone release went live");
  rollback_cmd->add_flag("--force", rollback.force,
                         "roll the code back although the schema moved on");
  rollback_cmd->add_flag("-C,--check", common.check, "print the plan; change nothing");
  rollback_cmd->add_flag("-y,--yes", workflow.yes, "confirm destructive steps without asking");
  rollback_cmd
      ->add_option("--lock-wait", workflow.lock_wait, "wait up to SECONDS for another run's lock")
      ->check(CLI::NonNegativeNumber);

  DbOptions db;
  CLI::App* db_cmd = app.add_subcommand("db", "database backups: backup, list, restore, verify");
  db_cmd->require_subcommand(1);
  CLI::App* db_backup_cmd = db_cmd->add_subcommand("backup", "take a manual or named backup");
  db_backup_cmd->add_option("--name", db.name, "a named backup that retention never removes");
  CLI::App* db_list_cmd =
      db_cmd->add_subcommand("list", "every backup with kind, time, size, checksum");
  CLI::App* db_restore_cmd = db_cmd->add_subcommand(
      "restore", "restore a backup (safely: beside the live database, then swap)");
  db_restore_cmd->add_flag("-y,--yes", workflow.yes, "confirm without asking");
  CLI::App* db_verify_cmd = db_cmd->add_subcommand(
      "verify", "restore a backup into a scratch database and compare row counts");
  for (CLI::App* cmd : {db_backup_cmd, db_list_cmd, db_restore_cmd, db_verify_cmd}) {
    AddCommonOptions(*cmd, common);
    if (cmd != db_list_cmd)
      cmd->add_flag("-C,--check", common.check, "print the plan; change nothing");
    cmd->add_option("--lock-wait", workflow.lock_wait, "wait up to SECONDS for another run's lock")
        ->check(CLI::NonNegativeNumber);
    // db restore|verify take BACKUP among the KEY=VALUE words; the command sorts them.
    cmd->add_option("args", common.positional_vars, "app=NAME, KEY=VALUE variables and BACKUP");
  }

  CLI::App* releases_cmd =
      app.add_subcommand("releases", "list releases per host: current, previous, backups");
  CLI::App* status_cmd =
      app.add_subcommand("status", "current release, services, health and lock per host");
  CLI::App* unlock_cmd =
      app.add_subcommand("unlock", "clear a stale deploy lock, saying whose it was");
  for (CLI::App* cmd : {releases_cmd, status_cmd, unlock_cmd}) {
    AddCommonOptions(*cmd, common);
    cmd->add_option("vars", common.positional_vars, "app=NAME and other KEY=VALUE variables");
  }

  CLI::App* inventory_cmd =
      app.add_subcommand("inventory", "show the inventory (ansible-inventory's role)");
  inventory_cmd->add_option("-i,--inventory", common.inventory, "inventory file or directory");
  auto* list =
      inventory_cmd->add_flag("--list", inventory.list, "all groups and host variables as JSON");
  auto* graph = inventory_cmd->add_flag("--graph", inventory.graph, "the group tree");
  list->excludes(graph);
  inventory_cmd->add_option("--host", inventory.host, "one host's variables as JSON");
  inventory_cmd->add_flag("-v,--verbose", common.verbosity, "more output");

  if (argc >= 2 && argv[1][0] != '-' &&
      std::find(kCommands.begin(), kCommands.end(), argv[1]) == kCommands.end()) {
    std::cerr << "deployctl: error: unknown command '" << argv[1] << "'"
              << DidYouMean(argv[1], kCommands) << "; run 'deployctl --help' for the list\n";
    return static_cast<int>(ExitCode::kUsage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "deployctl: error: " << e.what() << " (run 'deployctl "
              << (argc >= 2 && argv[1][0] != '-' ? std::string(argv[1]) + " " : "")
              << "--help' for usage)\n";
    return static_cast<int>(ExitCode::kUsage);
  }

  SetUpLogging(common.verbosity);
  try {
    if (db_cmd->parsed()) {
      // BACKUP is the one word without '='.
      for (CLI::App* sub : db_cmd->get_subcommands()) db.action = sub->get_name();
      std::vector<std::string> words;
      for (const auto& word : common.positional_vars) {
        if (word.find('=') != std::string::npos) {
          words.push_back(word);
        } else if (db.backup.empty() && (db.action == "restore" || db.action == "verify")) {
          db.backup = word;
        } else {
          throw UsageError("db " + db.action + ": unexpected argument '" + word + "'");
        }
      }
      if ((db.action == "restore" || db.action == "verify") && db.backup.empty()) {
        throw UsageError("db " + db.action + ": say which backup: deployctl db " + db.action +
                         " BACKUP (a name, a release id or a file name as 'db list' shows it)");
      }
      common.positional_vars = words;
    }
    for (const auto& word : common.positional_vars) AddExtraVars(word, common.extra_vars);
    for (const auto& arg : common.extra_var_args) AddExtraVars(arg, common.extra_vars);
    if (deploy_cmd->parsed()) return static_cast<int>(RunDeployCommand(common, workflow));
    if (rollback_cmd->parsed())
      return static_cast<int>(RunRollbackCommand(common, workflow, rollback));
    if (db_cmd->parsed()) return static_cast<int>(RunDbCommand(common, workflow, db));
    if (releases_cmd->parsed()) return static_cast<int>(RunReleasesCommand(common));
    if (status_cmd->parsed()) return static_cast<int>(RunStatusCommand(common));
    if (unlock_cmd->parsed()) return static_cast<int>(RunUnlockCommand(common));
    if (playbook_cmd->parsed()) return static_cast<int>(RunPlaybookCommand(common, playbook));
    if (inventory_cmd->parsed()) return static_cast<int>(RunInventoryCommand(common, inventory));
    throw UsageError("no command given");
  } catch (const Error& e) {
    std::cout.flush();
    std::cerr << "deployctl: error: " << Redact(e.what()) << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "deployctl: error: " << Redact(e.what()) << "\n";
    return static_cast<int>(ExitCode::kTaskFailed);
  }
}

}  // namespace deployctl
