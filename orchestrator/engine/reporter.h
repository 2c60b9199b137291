// What a run tells the person (or program) watching it. The runner calls
// these from worker threads; implementations serialise their own output.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "orchestrator/engine/playbook.h"
#include "orchestrator/vars/value.h"

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

// Ansible-like text: "TASK [name]", "changed: [web1]", "PLAY RECAP".
// verbosity >= 1 adds each result's output.
std::unique_ptr<Reporter> MakeTextReporter(std::ostream& out, int verbosity);

// One JSON document at the end (plays, tasks, per-host results, stats).
std::unique_ptr<Reporter> MakeJsonReporter(std::ostream& out);

}  // namespace deployctl
