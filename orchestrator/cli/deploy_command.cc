#include <ctime>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/workflow.h"
#include "orchestrator/modules/release_module.h"

namespace deployctl {
namespace {

// One id for every host, computed here: UTC epoch seconds, or the next
// free second when releases/<id> already exists on any host (two deploys
// within a second).
std::string ChooseReleaseId(std::vector<AppHost>& hosts, std::time_t now) {
  for (long long id = now;; ++id) {
    const std::string candidate = std::to_string(id);
    bool taken = false;
    for (AppHost& host : hosts) {
      taken = taken || host.transport->Stat(host.app.release_dir(candidate)).exists;
    }
    if (!taken) return candidate;
  }
}

}  // namespace

ExitCode RunDeployCommand(const CommonOptions& common, const WorkflowOptions& options) {
  WorkflowTarget target = ResolveWorkflowTarget(common);
  Value vars = WorkflowVars(target, common, "deploy");
  // A missing source is bad configuration: say so before any host is contacted.
  CheckSourceExists(target.first_host_config, vars["deploy_project_dir"].get<std::string>());
  // Connect to every host first: an unreachable one stops the deploy
  // before anything changes. The run reuses these connections.
  std::vector<AppHost> hosts;
  try {
    hosts = ConnectAppHosts(target, common);
  } catch (const remote::UnreachableError& e) {
    throw remote::UnreachableError(std::string(e.what()) +
                                   "; the deploy did not start, nothing changed");
  }
  vars["release_id"] = ChooseReleaseId(hosts, std::time(nullptr));
  vars["lock_wait"] = options.lock_wait;
  RunWorkflowPlaybook(BuiltinPlaybook("deploy.yml"), target, common, vars, &hosts);
  std::cout << "\n"
            << (common.check ? "check mode: nothing changed; would deploy " : "deployed ")
            << target.app << " release " << vars["release_id"].get<std::string>() << " to "
            << target.hosts.size() << " host(s)\n";
  return ExitCode::kOk;
}

}  // namespace deployctl
