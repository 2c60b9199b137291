#include <ctime>
#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/workflow.h"
#include "orchestrator/modules/release_module.h"

namespace deployctl {

ExitCode RunDeployCommand(const CommonOptions& common, const WorkflowOptions& options) {
  WorkflowTarget target = ResolveWorkflowTarget(common);
  Value vars = WorkflowVars(target, common, "deploy");
  // A missing source is bad configuration: say so before any host is contacted.
  CheckSourceExists(target.first_host_config, vars["deploy_project_dir"].get<std::string>());
  // One id for every host, computed here (UTC epoch seconds).
  vars["release_id"] = std::to_string(std::time(nullptr));
  vars["lock_wait"] = options.lock_wait;
  RunWorkflowPlaybook(BuiltinPlaybook("deploy.yml"), target, common, vars);
  std::cout << "\n"
            << (common.check ? "check mode: nothing changed; would deploy " : "deployed ")
            << target.app << " release " << vars["release_id"].get<std::string>() << " to "
            << target.hosts.size() << " host(s)\n";
  return ExitCode::kOk;
}

}  // namespace deployctl
