// What the workflow commands (deploy, rollback, db, releases, status,
// unlock) share: choosing the app, its hosts and database host, the run's
// identity, and running a built-in playbook from playbooks/.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/tool_config.h"
#include "orchestrator/engine/runner.h"
#include "orchestrator/inventory/inventory.h"
#include "remote/transport.h"

namespace deployctl {

struct WorkflowTarget {
  std::optional<ToolConfig> config;
  std::string inventory_path;
  Inventory inventory;
  std::string app;                 // the app's name
  std::vector<std::string> hosts;  // the app's hosts (after --limit), inventory order
  std::string db_host;             // where database steps run
  AppConfig first_host_config;     // the app as the first host sees it
};

// Loads the inventory and validates the app on every one of its hosts, all
// before any host is contacted. `app` comes from the app=NAME variable or,
// when the inventory defines exactly one app, is that one.
WorkflowTarget ResolveWorkflowTarget(const CommonOptions& common);

// A host's variables as every workflow step sees them: the inventory's,
// the inventory path, then the extra vars (highest precedence, as in
// Ansible).
Value WorkflowHostVars(const WorkflowTarget& target, const CommonOptions& common,
                       const std::string& host);

// The extra variables every workflow playbook gets (see
// docs/design/deploy-workflow.md): app, app_hosts, db_host, deployctl_run,
// deployctl_inventory, deploy_project_dir, plus the user's own.
Value WorkflowVars(const WorkflowTarget& target, const CommonOptions& common,
                   const std::string& command);

// One host of the app, connected, with the app as that host sees it.
struct AppHost {
  std::string name;
  std::unique_ptr<remote::Transport> transport;
  AppConfig app;
};

// Connects to every host of the target (up to `forks` at a time; host keys
// verified), in the target's host order. Throws UnreachableError naming the
// first host that cannot be reached; nothing has changed anywhere then.
std::vector<AppHost> ConnectAppHosts(const WorkflowTarget& target, const CommonOptions& common);

// Path of a built-in playbook (playbooks/<name>).
std::string BuiltinPlaybook(const std::string& name);

// Runs a built-in playbook for the target; throws Error with the run's exit
// code and failure line when it fails.
// `connected`: hosts already connected (ConnectAppHosts); the run takes
// their transports over instead of connecting again. `failure_line` words
// the error of a failed run (default: RunSummary::FailureLine). Returns the
// summary (with what the tasks registered) of a run that succeeded.
RunSummary RunWorkflowPlaybook(
    const std::string& playbook, const WorkflowTarget& target, const CommonOptions& common,
    const Value& vars, std::vector<AppHost>* connected = nullptr,
    const std::function<std::string(const RunSummary&)>& failure_line = nullptr);

}  // namespace deployctl
