#include "orchestrator/app/rollback_plan.h"

#include <algorithm>

namespace deployctl {
namespace {

Value OrNull(const std::optional<std::string>& value) {
  return value ? Value(*value) : Value(nullptr);
}

// "releases you can go back to: 1700000200, 1700000100" (newest first).
std::string Candidates(const Journal& journal, const std::optional<std::string>& current) {
  std::string list;
  for (auto it = journal.releases.rbegin(); it != journal.releases.rend(); ++it) {
    if (it->status != kGood || (current && it->id == *current)) continue;
    list += (list.empty() ? "" : ", ") + it->id;
  }
  return list.empty() ? "there is no good release to go back to"
                      : "releases you can go back to: " + list;
}

bool InRange(const std::string& id, const std::string& after, const std::string& up_to) {
  return ReleaseIdLess(after, id) && !ReleaseIdLess(up_to, id);
}

void ChooseBackup(const Journal& journal, const std::vector<BackupListing>& backups,
                  RollbackPlan& plan) {
  if (plan.forward) {
    plan.backup_problem = "release " + plan.target + " is newer than current (" + plan.current +
                          "): no backup belongs to going forward";
    return;
  }
  const BackupListing* best = nullptr;
  bool any_live_release = false;
  for (const BackupListing& b : backups) {
    if (b.kind != BackupKind::kAutomatic || b.manifest_state != "ok" || !b.manifest) continue;
    const BackupManifest& m = *b.manifest;
    if (!m.release || !InRange(*m.release, plan.target, plan.current)) continue;
    if (m.live_release) any_live_release = true;
    if (!m.live_release || *m.live_release != plan.target) continue;
    if (!best || ReleaseIdLess(*best->manifest->release, *m.release)) best = &b;
  }
  if (!best && !any_live_release) {
    // Older manifests do not say which release was live: the journal's
    // backup of the first release after the target.
    for (const JournalRelease& r : journal.releases) {
      if (!InRange(r.id, plan.target, plan.current) || !r.backup) continue;
      auto found = std::find_if(backups.begin(), backups.end(), [&](const BackupListing& b) {
        return b.file == *r.backup && b.manifest_state == "ok" && b.manifest;
      });
      if (found != backups.end()) best = &*found;
      break;
    }
  }
  if (!best) {
    plan.backup_problem = "no automatic backup with a complete manifest was taken while release " +
                          plan.target + " was live (before release " +
                          (plan.undone.empty() ? plan.current : plan.undone.front()) +
                          " went live)";
    return;
  }
  plan.backup = best->file;
  plan.backup_release = best->manifest->release;
  plan.backup_created = best->manifest->created;
  plan.backup_schema_revision = best->manifest->schema_revision;
}

}  // namespace

RollbackPlan PlanRollback(const RollbackRequest& request, const Journal& journal,
                          const std::optional<std::string>& current,
                          const std::vector<BackupListing>& backups) {
  const std::string app = "app '" + request.app + "'";
  if (!current) {
    throw RollbackRefused(app + " has nothing deployed on " + request.host +
                          " (no current release): nothing to roll back");
  }
  RollbackPlan plan;
  plan.current = *current;
  if (request.to.empty()) {
    const auto previous = PreviousRelease(journal, current);
    if (!previous) {
      throw RollbackRefused(app + " has no release to go back to on " + request.host +
                            ": no good release is older than current (" + *current + ")");
    }
    plan.target = *previous;
  } else {
    plan.target = request.to;
    if (!IsValidReleaseId(plan.target)) {
      throw RollbackRefused(
          "--to '" + plan.target +
          "': a release id is digits (UTC epoch seconds), as 'deployctl releases' "
          "shows them");
    }
    if (plan.target == *current) {
      throw RollbackRefused("release " + plan.target + " of " + app + " already is current on " +
                            request.host + ": nothing to roll back; " +
                            Candidates(journal, current));
    }
    const JournalRelease* release = journal.Find(plan.target);
    if (!release) {
      throw RollbackRefused("release " + plan.target + " of " + app + " does not exist on " +
                            request.host + "; " + Candidates(journal, current));
    }
    if (release->status == kBad) {
      throw RollbackRefused(
          "release " + plan.target + " of " + app + " on " + request.host + " is marked bad" +
          (release->reason ? " (" + *release->reason + ")" : "") +
          ": a bad release is never a rollback target; " + Candidates(journal, current));
    }
    if (release->status != kGood) {
      throw RollbackRefused("release " + plan.target + " of " + app + " on " + request.host +
                            " is " + release->status +
                            " (it never went live and was superseded): "
                            "not a rollback target; " +
                            Candidates(journal, current));
    }
  }
  plan.forward = ReleaseIdLess(*current, plan.target);

  const JournalRelease* target = journal.Find(plan.target);
  if (target && target->schema_revision) {
    plan.target_schema_revision = target->schema_revision;
    plan.schema_revision_source = "journal";
  }
  if (!plan.forward) {
    for (const JournalRelease& r : journal.releases) {
      if (!InRange(r.id, plan.target, plan.current)) continue;
      if (r.status == kGood || r.status == kLive || r.id == plan.current)
        plan.undone.push_back(r.id);
    }
    if (!journal.Find(plan.current)) plan.undone.push_back(plan.current);
  } else {
    plan.undone.push_back(plan.current);
  }
  ChooseBackup(journal, backups, plan);
  if (!plan.target_schema_revision && plan.backup && plan.backup_schema_revision) {
    plan.target_schema_revision = plan.backup_schema_revision;
    plan.schema_revision_source = "backup " + *plan.backup;
  }
  return plan;
}

Value RollbackPlanToJson(const RollbackPlan& plan) {
  Value undone = Value::array();
  for (const auto& id : plan.undone) undone.push_back(id);
  return Value{{"current", plan.current},
               {"target", plan.target},
               {"forward", plan.forward},
               {"target_schema_revision", OrNull(plan.target_schema_revision)},
               {"schema_revision_source", plan.schema_revision_source},
               {"undone", undone},
               {"backup", OrNull(plan.backup)},
               {"backup_release", OrNull(plan.backup_release)},
               {"backup_created", plan.backup ? Value(plan.backup_created) : Value(nullptr)},
               {"backup_schema_revision", OrNull(plan.backup_schema_revision)},
               {"backup_problem",
                plan.backup_problem.empty() ? Value(nullptr) : Value(plan.backup_problem)}};
}

}  // namespace deployctl
