#include <mutex>

#include "orchestrator/core/redact.h"
#include "orchestrator/engine/reporter.h"

namespace deployctl {
namespace {

// Collects everything and prints one document at the recap, so the output
// is valid JSON even with parallel hosts.
class JsonReporter : public Reporter {
 public:
  JsonReporter(std::ostream& out, std::ostream& warnings) : out_(out), warnings_(warnings) {}

  void PlayStart(const Play& play) override {
    std::lock_guard lock(mutex_);
    doc_["plays"].push_back(
        {{"play", {{"name", play.name}, {"hosts", play.hosts}}}, {"tasks", Value::array()}});
  }

  void TaskStart(const Task& task) override {
    std::lock_guard lock(mutex_);
    CurrentPlay()["tasks"].push_back(
        {{"task",
          {{"name", task.name}, {"module", task.module_name}, {"location", task.where.ToString()}}},
         {"hosts", Value::object()}});
  }

  void TaskResult(const Task& task, const HostTaskResult& r) override {
    Value result = task.no_log ? Value::object() : r.data;
    result["status"] = TaskStatusName(r.status);
    result["changed"] = r.status == TaskStatus::kChanged;
    result["failed"] = r.status == TaskStatus::kFailed;
    if (r.ignored) result["ignored"] = true;
    if (!r.msg.empty() && !task.no_log) result["msg"] = r.msg;
    std::lock_guard lock(mutex_);
    CurrentPlay()["tasks"].back()["hosts"][r.host] = result;
    for (const auto& warning : ResultWarnings(task, r)) {
      warnings_ << "warning: " << warning << "\n" << std::flush;
    }
  }

  void CheckPlan(const std::string& host, const std::vector<std::string>& plan) override {
    std::lock_guard lock(mutex_);
    doc_["check_plan"][host] = plan;
  }

  void Recap(const std::vector<std::string>&,
             const std::map<std::string, HostStats>& stats) override {
    std::lock_guard lock(mutex_);
    for (const auto& [host, s] : stats) {
      doc_["stats"][host] = {
          {"ok", s.ok},           {"changed", s.changed}, {"unreachable", s.unreachable},
          {"failures", s.failed}, {"skipped", s.skipped}, {"rescued", s.rescued},
          {"ignored", s.ignored}};
    }
    out_ << Redact(doc_.dump(4)) << "\n" << std::flush;
  }

 private:
  Value& CurrentPlay() { return doc_["plays"].back(); }

  std::ostream& out_;
  std::ostream& warnings_;
  std::mutex mutex_;
  Value doc_ = {{"plays", Value::array()}, {"stats", Value::object()}};
};

}  // namespace

std::unique_ptr<Reporter> MakeJsonReporter(std::ostream& out, std::ostream& warnings) {
  return std::make_unique<JsonReporter>(out, warnings);
}

}  // namespace deployctl
