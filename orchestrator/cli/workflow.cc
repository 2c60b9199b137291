#include "orchestrator/cli/workflow.h"

#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "orchestrator/app/run_identity.h"
#include "orchestrator/core/builtin_files.h"
#include "orchestrator/core/spelling.h"
#include "orchestrator/engine/playbook.h"
#include "orchestrator/engine/runner.h"
#include "remote/connect/connect.h"

namespace deployctl {

Value WorkflowHostVars(const WorkflowTarget& target, const CommonOptions& common,
                       const std::string& host) {
  Value vars = target.inventory.HostVars(host);
  vars["deployctl_inventory"] = target.inventory_path;
  vars.update(common.extra_vars);
  return vars;
}

WorkflowTarget ResolveWorkflowTarget(const CommonOptions& common) {
  WorkflowTarget target;
  target.config = LoadToolConfig(std::filesystem::current_path().string());
  target.inventory_path = ResolveInventoryPath(common.inventory, target.config);
  target.inventory = Inventory::Load(target.inventory_path);
  if (target.inventory.host_names().empty()) {
    throw ConfigError(SourceLocation{target.inventory_path, 0, 0}, "the inventory has no hosts");
  }

  // Apps are inventory variables; every host sees the same names in practice,
  // so the first host's view decides which apps exist.
  // App config values are templated when used: with the extra vars too.
  const Value first_vars = WorkflowHostVars(target, common, target.inventory.host_names().front());
  std::vector<std::string> apps = AppNames(first_vars);
  if (common.extra_vars.contains("app")) {
    target.app = common.extra_vars["app"].get<std::string>();
  } else if (apps.size() == 1) {
    target.app = apps.front();
  } else if (apps.empty()) {
    throw ConfigError(SourceLocation{target.inventory_path, 0, 0},
                      "no apps are defined: add an 'apps:' mapping to the inventory variables "
                      "(usually group_vars/all.yml)");
  } else {
    std::string list;
    for (const auto& a : apps) list += (list.empty() ? "" : ", ") + a;
    throw UsageError("the inventory defines several apps (" + list + "): say which with app=NAME");
  }
  if (!IsValidAppName(target.app)) {
    throw UsageError("app=" + target.app +
                     ": app names may use letters, digits, '.', '_' and '-' (at most 64, no '..')");
  }
  target.first_host_config = AppConfigForHost(target.app, first_vars);

  target.hosts = target.inventory.Match(target.first_host_config.hosts);
  if (!common.limit.empty()) {
    std::vector<std::string> allowed = target.inventory.Match(common.limit);
    std::erase_if(target.hosts, [&](const std::string& h) {
      return std::find(allowed.begin(), allowed.end(), h) == allowed.end();
    });
  }
  if (target.hosts.empty()) {
    throw UsageError("app '" + target.app + "': hosts pattern '" + target.first_host_config.hosts +
                     "'" + (common.limit.empty() ? "" : " with --limit '" + common.limit + "'") +
                     " matches no host");
  }
  // Validate the app as each host sees it (roots are often per host).
  for (const auto& host : target.hosts) {
    AppConfigForHost(target.app, WorkflowHostVars(target, common, host));
  }

  const DatabaseConfig& db = target.first_host_config.database;
  if (!db.host.empty()) {
    if (!target.inventory.HasHost(db.host)) {
      throw ConfigError(
          SourceLocation{target.inventory_path, 0, 0},
          "apps." + target.app + ".database.host: no host '" + db.host + "' in the inventory");
    }
    target.db_host = db.host;
  } else if (target.inventory.HasGroup("db") && !target.inventory.HostsOfGroup("db").empty()) {
    target.db_host = target.inventory.HostsOfGroup("db").front();
  } else {
    target.db_host = target.inventory.Match(target.first_host_config.hosts).front();
  }
  return target;
}

Value WorkflowVars(const WorkflowTarget& target, const CommonOptions& common,
                   const std::string& command) {
  Value vars = common.extra_vars;
  vars["app"] = target.app;
  std::string pattern;
  for (const auto& h : target.hosts) pattern += (pattern.empty() ? "" : ",") + h;
  vars["app_hosts"] = pattern;
  vars["db_host"] = target.db_host;
  vars["deployctl_inventory"] = target.inventory_path;
  vars["deploy_project_dir"] = std::filesystem::current_path().string();
  vars["deployctl_run"] = NewRunIdentity(command);
  return vars;
}

std::string BuiltinPlaybook(const std::string& name) {
  return BuiltinFile("playbooks", name);
}

std::vector<AppHost> ConnectAppHosts(const WorkflowTarget& target, const CommonOptions& common) {
  std::vector<AppHost> hosts;
  for (const auto& host : target.hosts) {
    hosts.push_back(AppHost{host, nullptr,
                            AppConfigForHost(target.app, WorkflowHostVars(target, common, host))});
  }
  // SSH handshakes dominate a small deploy: open them side by side.
  const int forks = common.forks > 0
                        ? common.forks
                        : (target.config && target.config->forks ? *target.config->forks : 10);
  std::vector<std::exception_ptr> errors(hosts.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (size_t w = 0; w < std::min<size_t>(std::max(1, forks), hosts.size()); ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < hosts.size(); i = next++) {
        try {
          hosts[i].transport = remote::Connect(
              ConnectionSpecFor(hosts[i].name, WorkflowHostVars(target, common, hosts[i].name)));
        } catch (...) {
          errors[i] = std::current_exception();
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return hosts;
}

RunSummary RunWorkflowPlaybook(const std::string& playbook_path, const WorkflowTarget& target,
                               const CommonOptions& common, const Value& vars,
                               std::vector<AppHost>* connected,
                               const std::function<std::string(const RunSummary&)>& failure_line) {
  Playbook playbook = LoadPlaybook(playbook_path);
  RunOptions run;
  run.forks = common.forks > 0
                  ? common.forks
                  : (target.config && target.config->forks ? *target.config->forks : 10);
  run.check = common.check;
  run.extra_vars = vars;
  auto reporter = common.output == "json" ? MakeJsonReporter(std::cout)
                                          : MakeTextReporter(std::cout, common.verbosity);
  std::mutex handover;
  ConnectFn connect =
      [&](const remote::ConnectionSpec& spec) -> std::unique_ptr<remote::Transport> {
    if (connected != nullptr) {
      std::lock_guard lock(handover);
      for (AppHost& host : *connected) {
        if (host.name == spec.inventory_name && host.transport) return std::move(host.transport);
      }
    }
    return remote::Connect(spec);
  };
  PlaybookRunner runner(target.inventory, run, *reporter, connect);
  RunSummary summary = runner.Run(playbook);
  if (summary.exit_code() != ExitCode::kOk) {
    throw Error(summary.exit_code(), failure_line ? failure_line(summary) : summary.FailureLine());
  }
  return summary;
}

}  // namespace deployctl
