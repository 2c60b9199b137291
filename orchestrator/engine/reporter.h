// What a run tells the person (or program) watching it. The runner calls
// these from worker threads; implementations serialise their own output.
#pragma once

#include <iostream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "orchestrator/core/value.h"
#include "orchestrator/engine/playbook.h"

namespace deployctl {

enum class TaskStatus { kOk, kChanged, kFailed, kSkipped, kUnreachable };

const char* TaskStatusName(TaskStatus status);

struct HostTaskResult {
  std::string host;
  TaskStatus status = TaskStatus::kOk;
  bool ignored = false;  // failed, but ignore_errors was set
  bool refused = false;  // failed because the run was refused (lock held, ...)
  std::string msg;
  std::string delegated_to;  // the host the task really ran on, if delegated
  Value data = Value::object();
};

// Per-host totals for the recap, as Ansible's PLAY RECAP counts them.
struct HostStats {
  int ok = 0;
  int changed = 0;
  int unreachable = 0;
  int failed = 0;
  int skipped = 0;
  int rescued = 0;
  int ignored = 0;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void PlayStart(const Play& play) = 0;
  virtual void TaskStart(const Task& task) = 0;
  virtual void TaskResult(const Task& task, const HostTaskResult& result) = 0;
  // What --check would have done on a host (commands, files).
  virtual void CheckPlan(const std::string& host, const std::vector<std::string>& plan) = 0;
  virtual void Recap(const std::vector<std::string>& hosts,
                     const std::map<std::string, HostStats>& stats) = 0;
};

// The warnings a module returned (data.warnings, a list of strings, as in
// Ansible), redacted; none for a no_log task.
std::vector<std::string> ResultWarnings(const Task& task, const HostTaskResult& result);

// Ansible-like text: "TASK [name]", "changed: [web1]", "PLAY RECAP".
// verbosity >= 1 adds each result's output. A result's warnings go to
// `warnings` as "warning: <text>" lines.
std::unique_ptr<Reporter> MakeTextReporter(std::ostream& out, int verbosity,
                                           std::ostream& warnings = std::cerr);

// One JSON document at the end (plays, tasks, per-host results, stats);
// warnings are in the results, and also printed to `warnings`.
std::unique_ptr<Reporter> MakeJsonReporter(std::ostream& out, std::ostream& warnings = std::cerr);

}  // namespace deployctl
