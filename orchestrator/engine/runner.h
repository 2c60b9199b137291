// Runs a playbook: plays in order; in each play, tasks in order, each task
// on all the play's live hosts in parallel (up to `forks`), like Ansible's
// linear strategy. A failed host stops; the others go on.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "orchestrator/core/error.h"
#include "orchestrator/engine/playbook.h"
#include "orchestrator/engine/reporter.h"
#include "orchestrator/inventory/inventory.h"
#include "remote/transport.h"

namespace deployctl {

struct RunOptions {
  int forks = 10;
  bool check = false;
  std::string limit;  // a host pattern further restricting every play
  std::vector<std::string> tags;
  std::vector<std::string> skip_tags;
  Value extra_vars = Value::object();  // highest precedence
};

// How the runner opens a host's transport; replaced by fakes in unit tests.
using ConnectFn =
    std::function<std::unique_ptr<remote::Transport>(const remote::ConnectionSpec& spec)>;

struct HostFailure {
  std::string host;
  std::string task;
  SourceLocation where;
  std::string msg;
  bool unreachable = false;
  bool refused = false;
};

struct RunSummary {
  std::vector<std::string> hosts;  // every host that took part, inventory order
  std::map<std::string, HostStats> stats;
  std::vector<HostFailure> failures;
  std::map<std::string, Value> registered;  // per host: what `register:` stored

  ExitCode exit_code() const;
  // The failure of the first failed host in inventory order: hosts run in
  // parallel, so the order failures were recorded in varies from run to
  // run; this does not. Requires failures to be non-empty.
  const HostFailure& FirstFailure() const;
  // One line for stderr: what failed (FirstFailure), where, and on which hosts.
  std::string FailureLine() const;
};

// The connection settings a host's variables describe.
remote::ConnectionSpec ConnectionSpecFor(const std::string& host, const Value& vars);

class PlaybookRunner {
 public:
  // `connect` opens a host's transport (remote::Connect in the CLI, fakes
  // in tests): the engine does not know the transports.
  PlaybookRunner(const Inventory& inventory, RunOptions options, Reporter& reporter,
                 ConnectFn connect);
  ~PlaybookRunner();

  RunSummary Run(const Playbook& playbook);

 private:
  struct HostState;

  Play WithRenderedName(const Play& play) const;
  Task WithRenderedName(const Task& task, const Play& play) const;
  std::vector<std::string> PlayHosts(const Play& play) const;
  std::vector<std::string> RunTaskList(const std::vector<Task>& tasks,
                                       std::vector<std::string> hosts, const Play& play);
  std::vector<std::string> RunBlock(const Task& block, const std::vector<std::string>& hosts,
                                    const Play& play);
  void RunTask(const Task& task, const std::vector<std::string>& hosts, const Play& play);
  HostTaskResult ExecuteOnHost(const Task& task, const std::string& host, const Play& play);
  // Reports `result` and counts it (stats, failure facts, summary).
  void Record(const Task& task, const HostTaskResult& result);
  // Counts it without reporting (a run_once failure shared by every host).
  void RecordQuietly(const Task& task, const HostTaskResult& result);
  void FailAllIfAnyFailed(const Task& task, const std::vector<std::string>& hosts);
  bool Selected(const Task& task) const;
  HostState& State(const std::string& host);
  remote::Transport& TransportFor(const std::string& host, const Value& vars);
  void ForEachHost(const std::vector<std::string>& hosts, int throttle,
                   const std::function<void(const std::string&)>& fn);

  const Inventory& inventory_;
  RunOptions options_;
  Reporter& reporter_;
  ConnectFn connect_;
  std::string playbook_dir_;
  std::map<std::string, std::unique_ptr<HostState>> states_;
  std::mutex mutex_;  // guards summary_
  RunSummary summary_;
};

}  // namespace deployctl
