// deployctl releases | status | unlock: read (or clear) per-host state of
// an app directly over each host's connection; no playbook needed.
#include <iomanip>
#include <iostream>

#include "orchestrator/app/deploy_lock.h"
#include "orchestrator/app/journal.h"
#include "orchestrator/app/lock_info.h"
#include "orchestrator/app/release_listing.h"
#include "orchestrator/app/service_status.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/workflow.h"
#include "orchestrator/engine/runner.h"

namespace deployctl {
namespace {

std::string FormatTime(long long epoch) {
  return epoch > 0 ? IsoUtc(epoch) : "-";
}

}  // namespace

ExitCode RunReleasesCommand(const CommonOptions& common) {
  WorkflowTarget target = ResolveWorkflowTarget(common);
  Value json = Value::object();
  for (auto& view : ConnectAppHosts(target, common)) {
    std::vector<ReleaseListing> releases = ListReleases(*view.transport, view.app);
    if (common.output == "json") {
      Value list = Value::array();
      for (const auto& r : releases) list.push_back(ReleaseListingToJson(r));
      json[view.name] = list;
      continue;
    }
    std::cout << view.name << " (" << view.app.root << ")\n";
    if (releases.empty()) std::cout << "  no releases\n";
    for (const auto& r : releases) {
      std::cout << "  "
                << (r.current    ? "* "
                    : r.previous ? "< "
                                 : "  ")
                << std::left << std::setw(12) << r.id << std::setw(9) << r.status << std::setw(22)
                << FormatTime(r.activated.value_or(r.created)) << std::setw(14)
                << (r.revision.empty() ? "-" : r.revision) << std::setw(10)
                << (r.user.empty() ? "-" : r.user)
                << (r.backup           ? "backup " + *r.backup
                    : r.backup_skipped ? "no backup: " + *r.backup_skipped
                                       : "no backup")
                << (r.on_disk ? "" : " (directory missing)") << "\n";
    }
  }
  if (common.output == "json") {
    std::cout << json.dump(4) << "\n";
  } else {
    std::cout << "(* current, < previous: the rollback target)\n";
  }
  return ExitCode::kOk;
}

ExitCode RunStatusCommand(const CommonOptions& common) {
  WorkflowTarget target = ResolveWorkflowTarget(common);
  Value json = Value::object();
  for (auto& view : ConnectAppHosts(target, common)) {
    AppServiceStatus status = ReadAppServiceStatus(*view.transport, view.app);
    LockState lock = ReadLockState(*view.transport, view.app);
    if (common.output == "json") {
      Value v = AppServiceStatusValue(status);
      v["lock"] = HolderToJson(lock);
      json[view.name] = v;
      continue;
    }
    std::cout << view.name << ":\n";
    std::cout << "  current:  "
              << (status.release                 ? *status.release
                  : status.release_error.empty() ? "none"
                                                 : status.release_error)
              << "\n";
    if (!status.services_error.empty())
      std::cout << "  services: " << status.services_error << "\n";
    for (const auto& s : status.services) {
      std::cout << "  service:  " << s.name << " " << s.state
                << (s.health.empty() ? "" : " (" + s.health + ")") << "\n";
    }
    if (status.health) {
      std::cout << "  health:   " << status.health->url << " "
                << (status.health->healthy ? "healthy" : "UNHEALTHY") << " ("
                << status.health->status << ")\n";
    }
    std::cout << "  lock:     " << (lock.locked ? "held by " + DescribeHolder(lock) : "free")
              << "\n";
  }
  if (common.output == "json") std::cout << json.dump(4) << "\n";
  return ExitCode::kOk;
}

ExitCode RunUnlockCommand(const CommonOptions& common) {
  WorkflowTarget target = ResolveWorkflowTarget(common);
  for (auto& view : ConnectAppHosts(target, common)) {
    UnlockOutcome unlocked;
    try {
      unlocked = ReleaseLock(*view.transport, view.app, LockInfo{}, /*force=*/true,
                             /*check_mode=*/false);
    } catch (const TaskError& e) {
      throw TaskError(view.name + ": " + e.what());
    }
    if (unlocked.status == UnlockOutcome::Status::kNotLocked) {
      std::cout << view.name << ": not locked\n";
      continue;
    }
    std::cout << view.name << ": removed the lock of app '" << target.app << "' held by "
              << DescribeHolder(unlocked.before) << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace deployctl
