#include <algorithm>
#include <ctime>
#include <iostream>
#include <sstream>

#include "orchestrator/app/release_source.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/workflow.h"

namespace deployctl {
namespace {

// One id for every host, computed here: UTC epoch seconds, but always
// newer than every release on the hosts (two deploys within a second, or a
// controller whose clock is behind): "previous release" means an older id.
std::string ChooseReleaseId(std::vector<AppHost>& hosts, std::time_t now) {
  long long id = now;
  for (AppHost& host : hosts) {
    remote::Command ls = remote::Command::Argv({"ls", "-1A", "--", host.app.releases_dir()});
    ls.read_only = true;
    const remote::CommandResult listed = host.transport->Run(ls);
    if (!listed.ok()) continue;  // no releases/ yet
    std::istringstream names(listed.out);
    for (std::string name; std::getline(names, name);) {
      if (!IsValidReleaseId(name) || name.size() > 18) continue;
      id = std::max(id, std::stoll(name) + 1);
    }
  }
  return std::to_string(id);
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
