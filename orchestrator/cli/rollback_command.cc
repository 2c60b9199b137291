// deployctl rollback: runs playbooks/rollback.yml for one app. See
// docs/rollback.md.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <map>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/confirm.h"
#include "orchestrator/cli/workflow.h"
#include "orchestrator/engine/playbook.h"
#include "orchestrator/engine/runner.h"
#include "remote/connect/connect.h"

namespace deployctl {
namespace {

// The one line for stderr. The playbook's last task repeats the first
// failure's message (and says what state the hosts are in), so the line
// names the command and the hosts rather than a task of a built-in file.
std::string FailureLine(const WorkflowTarget& target, const RunSummary& summary) {
  if (summary.failures.empty()) return "";
  for (const HostFailure& f : summary.failures) {
    if (f.unreachable) return summary.FailureLine();
  }
  const HostFailure& first = summary.FirstFailure();
  std::string hosts;  // in inventory order, as FirstFailure chooses
  for (const std::string& host : summary.hosts) {
    const bool failed = std::any_of(summary.failures.begin(), summary.failures.end(),
                                    [&](const HostFailure& f) { return f.host == host; });
    if (failed) hosts += (hosts.empty() ? "" : ", ") + host;
  }
  return "rollback of " + target.app + (first.refused ? " refused" : " failed") + " on " + hosts +
         ": " + first.msg;
}

std::string Text(const Value& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

class QuietReporter : public Reporter {
 public:
  void PlayStart(const Play&) override {}
  void TaskStart(const Task&) override {}
  void TaskResult(const Task&, const HostTaskResult&) override {}
  void CheckPlan(const std::string&, const std::vector<std::string>&) override {}
  void Recap(const std::vector<std::string>&, const std::map<std::string, HostStats>&) override {}
};

// The plan alone (the playbook's `plan`-tagged task, in check mode, quietly):
// where the rollback goes and which backup it restores, for the prompt.
Value PlanOnly(const WorkflowTarget& target, const Value& vars) {
  Playbook playbook = LoadPlaybook(BuiltinPlaybook("rollback.yml"));
  RunOptions run;
  run.forks = 1;
  run.check = true;
  run.tags = {"plan"};
  run.extra_vars = vars;
  QuietReporter quiet;
  PlaybookRunner runner(target.inventory, run, quiet, remote::Connect);
  const RunSummary summary = runner.Run(playbook);
  if (summary.exit_code() != ExitCode::kOk) throw Error(summary.exit_code(), summary.FailureLine());
  auto it = summary.registered.find(target.hosts.front());
  if (it == summary.registered.end() || !it->second.contains("plan")) {
    throw Error(ExitCode::kTaskFailed, "could not plan the rollback of " + target.app);
  }
  const Value plan = it->second["plan"];
  if (plan.value("failed", false)) {
    throw Error(plan.value("refused", false) ? ExitCode::kRefused : ExitCode::kTaskFailed,
                Text(plan, "msg"));
  }
  return plan;
}

std::string UtcTime(long long epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

// --restore-database overwrites the live database: ask on a terminal, else
// require --yes. Throws Error(kRefused) when not confirmed; nothing has
// changed then.
void ConfirmRestore(const WorkflowTarget& target, const WorkflowOptions& workflow,
                    const Value& vars) {
  if (workflow.yes) return;
  const std::string database = "database '" + target.first_host_config.database.name +
                               "' of app '" + target.app + "' on " + target.db_host;
  if (!CanAskOnTerminal()) {
    throw Error(ExitCode::kRefused,
                "rollback --restore-database replaces " + database +
                    " with a backup: every write since that backup is lost. There is no "
                    "terminal to confirm on, so pass --yes; nothing was changed");
  }
  const Value plan = PlanOnly(target, vars);
  if (Text(plan, "backup").empty()) {
    throw Error(ExitCode::kRefused, "rollback --restore-database of " + target.app +
                                        " to release " + Text(plan, "target") + ": " +
                                        Text(plan, "backup_problem") + "; nothing was changed");
  }
  std::cerr << "Rolling " << target.app << " back from release " << Text(plan, "current")
            << " to release " << Text(plan, "target") << " replaces " << database << " with backup "
            << Text(plan, "backup") << ", taken " << UtcTime(plan.value("backup_created", 0LL))
            << " before release " << Text(plan, "backup_release") << " went live.\n"
            << "Every write to the database since then is lost (the replaced database is kept "
               "under a dated name, and a safety backup of it is taken).\n";
  if (!AskYes("Type 'yes' to go on: ")) {
    throw Error(ExitCode::kRefused, "rollback not confirmed; nothing was changed");
  }
}

}  // namespace

ExitCode RunRollbackCommand(const CommonOptions& common, const WorkflowOptions& workflow,
                            const RollbackOptions& options) {
  if (!options.to.empty() && !IsValidReleaseId(options.to)) {
    throw UsageError("--to '" + options.to +
                     "': a release id is digits (UTC epoch seconds), as 'deployctl releases' "
                     "shows them");
  }
  WorkflowTarget target = ResolveWorkflowTarget(common);
  if (options.restore_database && !target.first_host_config.database.enabled) {
    throw UsageError("--restore-database: app '" + target.app + "' has no database section (apps." +
                     target.app + ".database)");
  }
  Value vars = WorkflowVars(target, common, "rollback");
  vars["lock_wait"] = workflow.lock_wait;
  vars["rollback_to"] = options.to;
  vars["rollback_force"] = options.force;
  vars["rollback_restore_database"] = options.restore_database;
  if (options.restore_database && !common.check) ConfirmRestore(target, workflow, vars);
  const RunSummary summary =
      RunWorkflowPlaybook(BuiltinPlaybook("rollback.yml"), target, common, vars, nullptr,
                          [&](const RunSummary& failed) { return FailureLine(target, failed); });

  // What the run decided, as the first host registered it.
  Value plan = Value::object(), restore = Value::object(), safety = Value::object();
  if (auto it = summary.registered.find(target.hosts.front()); it != summary.registered.end()) {
    if (it->second.contains("plan")) plan = it->second["plan"];
    if (it->second.contains("restore")) restore = it->second["restore"];
    if (it->second.contains("safety")) safety = it->second["safety"];
  }
  const std::string from = Text(plan, "current"), to = Text(plan, "target");
  if (restore.value("swapped", false)) {
    std::cout << "\ndatabase '" << Text(restore, "database") << "' restored from "
              << Text(restore, "file") << "; the database it replaced is kept as "
              << Text(restore, "before_database")
              << (Text(safety, "file").empty() || safety.value("failed", false)
                      ? ""
                      : "; safety backup " + Text(safety, "file") + " of it")
              << "\n";
    if (safety.value("failed", false)) {
      std::cerr << "warning: the safety backup of " << Text(restore, "before_database")
                << " failed (" << Text(safety, "msg") << "); the database itself is kept, and "
                << "it is never dropped without one\n";
    }
  }
  std::cout << "\n"
            << (common.check ? "would roll back " : "rolled back ") << target.app
            << (from.empty() ? "" : " from release " + from)
            << (to.empty() ? "" : " to release " + to) << " on " << target.hosts.size()
            << " host(s)" << (common.check ? " (check mode: nothing changed)" : "")
            << (from.empty() || common.check ? "" : "; release " + from + " is marked bad") << "\n";
  return ExitCode::kOk;
}

}  // namespace deployctl
