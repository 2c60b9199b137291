#include <iomanip>
#include <mutex>
#include <sstream>

#include "orchestrator/core/redact.h"
#include "orchestrator/engine/reporter.h"

namespace deployctl {

const char* TaskStatusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::kOk:
      return "ok";
    case TaskStatus::kChanged:
      return "changed";
    case TaskStatus::kFailed:
      return "failed";
    case TaskStatus::kSkipped:
      return "skipped";
    case TaskStatus::kUnreachable:
      return "unreachable";
  }
  return "?";
}

std::vector<std::string> ResultWarnings(const Task& task, const HostTaskResult& result) {
  std::vector<std::string> warnings;
  if (task.no_log || !result.data.contains("warnings") || !result.data["warnings"].is_array()) {
    return warnings;
  }
  for (const Value& w : result.data["warnings"]) {
    if (w.is_string() && !w.get_ref<const std::string&>().empty()) {
      warnings.push_back(Redact(w.get<std::string>()));
    }
  }
  return warnings;
}

namespace {

std::string Banner(const std::string& title) {
  std::string line = title + " ";
  if (line.size() < 79) line.append(79 - line.size(), '*');
  return line;
}

class TextReporter : public Reporter {
 public:
  TextReporter(std::ostream& out, int verbosity, std::ostream& warnings)
      : out_(out), warnings_(warnings), verbosity_(verbosity) {}

  void PlayStart(const Play& play) override {
    std::lock_guard lock(mutex_);
    out_ << "\n" << Banner("PLAY [" + play.name + "]") << "\n";
  }

  void TaskStart(const Task& task) override {
    std::lock_guard lock(mutex_);
    out_ << "\n" << Banner("TASK [" + task.name + "]") << "\n" << std::flush;
  }

  void TaskResult(const Task& task, const HostTaskResult& r) override {
    std::ostringstream line;
    line << TaskStatusName(r.status) << ": [" << r.host
         << (r.delegated_to.empty() || r.delegated_to == r.host ? "" : " -> " + r.delegated_to)
         << "]";
    const bool show_msg = r.status == TaskStatus::kFailed || r.status == TaskStatus::kUnreachable;
    if (show_msg && !r.msg.empty())
      line << ": " << (task.no_log ? "(output hidden by no_log)" : r.msg);
    if (r.ignored) line << " (ignored)";
    if (verbosity_ >= 1 && !task.no_log) {
      for (const char* stream : {"stdout", "stderr"}) {
        if (r.data.contains(stream) && r.data[stream].is_string() &&
            !r.data[stream].get<std::string>().empty()) {
          line << "\n  " << stream << ": " << r.data[stream].get<std::string>();
        }
      }
      if (!show_msg && !r.msg.empty()) line << "\n  msg: " << r.msg;
    }
    std::lock_guard lock(mutex_);
    out_ << Redact(line.str()) << "\n" << std::flush;
    for (const auto& warning : ResultWarnings(task, r)) {
      warnings_ << "warning: " << warning << "\n" << std::flush;
    }
  }

  void CheckPlan(const std::string& host, const std::vector<std::string>& plan) override {
    std::lock_guard lock(mutex_);
    out_ << "\n" << Banner("CHECK PLAN [" + host + "]") << "\n";
    if (plan.empty()) out_ << "  (no changes)\n";
    for (const auto& step : plan) out_ << "  " << Redact(step) << "\n";
  }

  void Recap(const std::vector<std::string>& hosts,
             const std::map<std::string, HostStats>& stats) override {
    std::lock_guard lock(mutex_);
    out_ << "\n" << Banner("PLAY RECAP") << "\n";
    for (const auto& host : hosts) {
      auto it = stats.find(host);
      if (it == stats.end()) continue;
      const HostStats& s = it->second;
      out_ << std::left << std::setw(26) << host << " : "  //
           << std::setw(12) << ("ok=" + std::to_string(s.ok)) << std::setw(13)
           << ("changed=" + std::to_string(s.changed)) << std::setw(17)
           << ("unreachable=" + std::to_string(s.unreachable)) << std::setw(12)
           << ("failed=" + std::to_string(s.failed)) << std::setw(13)
           << ("skipped=" + std::to_string(s.skipped)) << std::setw(13)
           << ("rescued=" + std::to_string(s.rescued)) << ("ignored=" + std::to_string(s.ignored))
           << "\n";
    }
    out_ << std::flush;
  }

 private:
  std::ostream& out_;
  std::ostream& warnings_;
  int verbosity_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Reporter> MakeTextReporter(std::ostream& out, int verbosity,
                                           std::ostream& warnings) {
  return std::make_unique<TextReporter>(out, verbosity, warnings);
}

}  // namespace deployctl
