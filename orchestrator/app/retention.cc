#include "orchestrator/app/retention.h"

#include <algorithm>
#include <map>
#include <set>

namespace deployctl {
namespace {

// Sorts ids newest first.
void SortNewestFirst(std::vector<std::string>& ids) {
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return ReleaseIdLess(b, a); });
}

}  // namespace

std::optional<BackupFile> ClassifyBackup(const std::string& file_name,
                                         const std::optional<Value>& manifest) {
  // The file name first (the same reading as `db list` and restore), then
  // the manifest, which knows best.
  const std::optional<BackupFileInfo> info = ParseBackupFileName(file_name);
  if (!info) return std::nullopt;
  BackupFile backup{file_name, info->kind, info->id};
  auto text = [&](const char* key) -> std::optional<std::string> {
    const auto it = manifest->find(key);
    if (it == manifest->end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (manifest && manifest->is_object()) {
    const std::string kind = text("kind").value_or("");
    if (kind == "named") {
      backup.kind = BackupKind::kNamed;
      backup.key = text("name").value_or(info->id);
    } else if (kind == "automatic") {
      backup.kind = BackupKind::kAutomatic;
      if (auto release = text("release"); release && IsValidReleaseId(*release)) {
        backup.key = *release;
      }
    } else if (kind == "manual" || kind == "safety") {
      backup.kind = kind == "manual" ? BackupKind::kManual : BackupKind::kSafety;
    }
  }
  // An automatic backup whose key is no release id cannot be ordered: keep it.
  if (backup.kind == BackupKind::kAutomatic && !IsValidReleaseId(backup.key)) {
    backup.kind = BackupKind::kNamed;
  }
  return backup;
}

namespace {

// An automatic backup taken within keep_days of `now` (its key, the release
// id, is the epoch second it was taken).
bool YoungerThanKeepDays(const BackupFile& backup, const PruneLimits& limits) {
  if (limits.keep_days <= 0 || !IsValidReleaseId(backup.key) || backup.key.size() > 18) {
    return false;
  }
  const long long taken = std::stoll(backup.key);
  return limits.now - taken < static_cast<long long>(limits.keep_days) * 86400;
}

}  // namespace

PrunePlan PlanPrune(const Journal& journal, const std::optional<std::string>& current,
                    const std::vector<BackupFile>& backups, const PruneLimits& limits) {
  PrunePlan plan;
  const std::optional<std::string> previous = PreviousRelease(journal, current);
  auto is_protected = [&](const std::string& id) {
    return (current && id == *current) || (previous && id == *previous);
  };

  // Releases, newest first.
  int good = current ? 1 : 0;  // current counts, whatever the journal says of it
  if (current && !journal.Find(*current)) plan.keep_releases.push_back(*current);
  for (auto it = journal.releases.rbegin(); it != journal.releases.rend(); ++it) {
    const JournalRelease& r = *it;
    if (current && r.id == *current) {
      plan.keep_releases.push_back(r.id);
    } else if (is_protected(r.id)) {
      plan.keep_releases.push_back(r.id);
      ++good;
    } else if (CountsAsGood(r.status)) {
      if (good < limits.keep_releases) {
        plan.keep_releases.push_back(r.id);
        ++good;
      } else {
        plan.remove_releases.push_back(r.id);
      }
    } else if (r.status == kBad || r.status == kPending) {
      plan.remove_releases.push_back(r.id);
    } else {
      plan.keep_releases.push_back(r.id);  // a status this version does not know
    }
  }
  std::reverse(plan.remove_releases.begin(), plan.remove_releases.end());
  SortNewestFirst(plan.keep_releases);

  if (!limits.prune_backups) return plan;

  // The automatic backups the current and the previous release need.
  std::set<std::string> needed;
  for (const auto& id : {current, previous}) {
    if (!id) continue;
    if (const JournalRelease* r = journal.Find(*id); r && r->backup) needed.insert(*r->backup);
  }
  std::map<BackupKind, std::vector<const BackupFile*>> by_kind;
  for (const BackupFile& b : backups) by_kind[b.kind].push_back(&b);
  for (auto& [kind, files] : by_kind) {
    if (kind == BackupKind::kNamed) continue;  // never pruned
    std::stable_sort(files.begin(), files.end(), [](const BackupFile* a, const BackupFile* b) {
      return ReleaseIdLess(b->key, a->key);
    });
    const int keep = kind == BackupKind::kAutomatic ? limits.keep_backups
                     : kind == BackupKind::kManual  ? limits.keep_manual_backups
                                                    : limits.keep_safety_backups;
    int kept = 0;
    for (const BackupFile* b : files) {
      const bool required =
          kind == BackupKind::kAutomatic &&
          (needed.contains(b->file) || is_protected(b->key) || YoungerThanKeepDays(*b, limits));
      if (required || kept < keep) {
        ++kept;
      } else {
        plan.remove_backups.push_back(b->file);
      }
    }
  }
  std::sort(plan.remove_backups.begin(), plan.remove_backups.end());
  return plan;
}

}  // namespace deployctl
