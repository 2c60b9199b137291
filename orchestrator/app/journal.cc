#include "orchestrator/app/journal.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "orchestrator/app/backup_naming.h"

namespace deployctl {
namespace {

using remote::Command;

std::optional<std::string> OptionalString(const Value& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  const Value& v = object[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::optional<long long> OptionalInt(const Value& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  const Value& v = object[key];
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number()) return static_cast<long long>(v.get<double>());
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoll(s);
  }
  return std::nullopt;
}

Value OrNull(const std::optional<std::string>& v) {
  return v ? Value(*v) : Value(nullptr);
}
Value OrNull(const std::optional<long long>& v) {
  return v ? Value(*v) : Value(nullptr);
}

const std::set<std::string>& KnownKeys() {
  static const std::set<std::string> keys = {
      "id",        "revision", "user",           "created",
      "status",    "backup",   "backup_skipped", "schema_revision",
      "activated", "reason"};
  return keys;
}

bool CountsAsGood(const std::string& status) {
  return status == kGood || status == kLive;
}

// Sorts ids newest first.
void SortNewestFirst(std::vector<std::string>& ids) {
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return ReleaseIdLess(b, a); });
}

}  // namespace

bool IsReleaseStatus(const std::string& status) {
  return status == kPending || status == kLive || status == kGood || status == kBad;
}

bool ReleaseIdLess(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

JournalRelease* Journal::Find(const std::string& id) {
  for (auto& release : releases) {
    if (release.id == id) return &release;
  }
  return nullptr;
}

const JournalRelease* Journal::Find(const std::string& id) const {
  return const_cast<Journal*>(this)->Find(id);
}

void Journal::Put(JournalRelease release) {
  if (JournalRelease* existing = Find(release.id)) {
    *existing = std::move(release);
    return;
  }
  auto at = std::find_if(releases.begin(), releases.end(),
                         [&](const JournalRelease& r) { return ReleaseIdLess(release.id, r.id); });
  releases.insert(at, std::move(release));
}

bool Journal::Drop(const std::string& id) {
  return std::erase_if(releases, [&](const JournalRelease& r) { return r.id == id; }) > 0;
}

Value JournalToJson(const Journal& journal) {
  Value releases = Value::array();
  for (const auto& r : journal.releases) {
    Value entry = r.extra.is_object() ? r.extra : Value::object();
    entry["id"] = r.id;
    entry["revision"] = r.revision;
    entry["user"] = r.user;
    entry["created"] = r.created;
    entry["status"] = r.status;
    entry["backup"] = OrNull(r.backup);
    entry["backup_skipped"] = OrNull(r.backup_skipped);
    entry["schema_revision"] = OrNull(r.schema_revision);
    entry["activated"] = OrNull(r.activated);
    if (r.reason) entry["reason"] = *r.reason;
    releases.push_back(std::move(entry));
  }
  return Value{{"app", journal.app}, {"releases", std::move(releases)}};
}

Journal JournalFromJson(const Value& json, const std::string& where) {
  if (!json.is_object() || !json.contains("releases") || !json["releases"].is_array()) {
    throw JournalError(where + ": not a release journal (expected {\"app\", \"releases\": [...]})");
  }
  Journal journal;
  journal.app = OptionalString(json, "app").value_or("");
  for (const Value& entry : json["releases"]) {
    const auto id = entry.is_object() ? OptionalString(entry, "id") : std::nullopt;
    if (!id || !IsValidReleaseId(*id)) {
      throw JournalError(where + ": a release entry without a valid id: " + entry.dump());
    }
    JournalRelease r;
    r.id = *id;
    r.revision = OptionalString(entry, "revision").value_or("");
    r.user = OptionalString(entry, "user").value_or("");
    r.created = OptionalInt(entry, "created").value_or(0);
    r.status = OptionalString(entry, "status").value_or(kPending);
    r.backup = OptionalString(entry, "backup");
    r.backup_skipped = OptionalString(entry, "backup_skipped");
    r.schema_revision = OptionalString(entry, "schema_revision");
    r.activated = OptionalInt(entry, "activated");
    r.reason = OptionalString(entry, "reason");
    for (auto& [key, value] : entry.items()) {
      if (!KnownKeys().contains(key)) r.extra[key] = value;
    }
    journal.Put(std::move(r));
  }
  return journal;
}

Journal LoadJournal(remote::Transport& host, const AppConfig& app) {
  const std::string path = app.journal_file();
  const std::optional<std::string> text = host.ReadFile(path);
  if (!text) return Journal{app.name, {}};
  const std::string where = host.host() + ":" + path;
  Value json = Value::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    throw JournalError(where +
                       ": not valid JSON; fix or move the file away (the releases and "
                       "current are untouched)");
  }
  Journal journal = JournalFromJson(json, where);
  if (journal.app.empty()) journal.app = app.name;
  return journal;
}

void SaveJournal(remote::Transport& host, const AppConfig& app, const Journal& journal) {
  Journal copy = journal;
  if (copy.app.empty()) copy.app = app.name;
  host.WriteFile(app.journal_file(), JournalToJson(copy).dump(2) + "\n", 0644);
}

std::optional<std::string> ReadCurrentRelease(remote::Transport& host, const AppConfig& app) {
  const remote::RemoteFileInfo info = host.Stat(app.current_link());
  if (!info.exists) return std::nullopt;
  if (!info.is_link) {
    throw JournalError(app.current_link() + " on " + host.host() +
                       " is not a symbolic link; move it away (for example into releases/) so "
                       "that deployctl can manage it");
  }
  std::string target = info.link_target;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  for (const std::string& prefix :
       {std::string("releases/"), std::string("./releases/"), app.releases_dir() + "/"}) {
    if (target.starts_with(prefix) && IsValidReleaseId(target.substr(prefix.size()))) {
      return target.substr(prefix.size());
    }
  }
  throw JournalError(app.current_link() + " on " + host.host() + " points to '" + info.link_target +
                     "', not to releases/<id>");
}

std::optional<std::string> PreviousRelease(const Journal& journal,
                                           const std::optional<std::string>& current) {
  for (auto it = journal.releases.rbegin(); it != journal.releases.rend(); ++it) {
    if (it->status != kGood) continue;
    if (current && !ReleaseIdLess(it->id, *current)) continue;
    return it->id;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- pruning

std::optional<BackupFile> ClassifyBackup(const std::string& file_name,
                                         const std::optional<Value>& manifest) {
  // The file name first (the same reading as `db list` and restore), then
  // the manifest, which knows best.
  const std::optional<BackupFileInfo> info = ParseBackupFileName(file_name);
  if (!info) return std::nullopt;
  BackupFile backup{file_name, info->kind, info->id};
  if (manifest && manifest->is_object()) {
    const std::string kind = OptionalString(*manifest, "kind").value_or("");
    if (kind == "named") {
      backup.kind = BackupKind::kNamed;
      backup.key = OptionalString(*manifest, "name").value_or(info->id);
    } else if (kind == "automatic") {
      backup.kind = BackupKind::kAutomatic;
      if (auto release = OptionalString(*manifest, "release");
          release && IsValidReleaseId(*release)) {
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

// ------------------------------------------------------ deployctl releases

std::vector<ReleaseListing> ListReleases(remote::Transport& host, const AppConfig& app) {
  const Journal journal = LoadJournal(host, app);
  const std::optional<std::string> current = ReadCurrentRelease(host, app);
  const std::optional<std::string> previous = PreviousRelease(journal, current);

  std::set<std::string> on_disk;
  if (host.Stat(app.releases_dir()).is_dir) {
    Command ls = Command::Argv({"ls", "-1A", "--", app.releases_dir()});
    ls.read_only = true;
    const remote::CommandResult listed = host.Run(ls);
    if (!listed.ok()) {
      throw JournalError("cannot list " + app.releases_dir() + " on " + host.host() + ": " +
                         listed.err);
    }
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      if (IsValidReleaseId(line)) on_disk.insert(line);
    }
  }

  std::vector<ReleaseListing> listings;
  for (const JournalRelease& r : journal.releases) {
    ReleaseListing l;
    l.id = r.id;
    l.status = r.status;
    l.created = r.created;
    l.activated = r.activated;
    l.revision = r.revision;
    l.user = r.user;
    l.backup = r.backup;
    l.backup_skipped = r.backup_skipped;
    l.schema_revision = r.schema_revision;
    l.reason = r.reason;
    listings.push_back(std::move(l));
  }
  for (const std::string& id : on_disk) {
    if (journal.Find(id)) continue;
    ReleaseListing l;
    l.id = id;
    l.status = "unknown";
    listings.push_back(std::move(l));
  }
  if (current && !journal.Find(*current) && !on_disk.contains(*current)) {
    ReleaseListing l;  // current points at a release that is gone
    l.id = *current;
    l.status = "missing";
    listings.push_back(std::move(l));
  }
  for (ReleaseListing& l : listings) {
    l.on_disk = on_disk.contains(l.id);
    l.current = current && l.id == *current;
    l.previous = previous && l.id == *previous;
  }
  std::sort(listings.begin(), listings.end(), [](const ReleaseListing& a, const ReleaseListing& b) {
    return ReleaseIdLess(b.id, a.id);
  });
  return listings;
}

Value ReleaseListingToJson(const ReleaseListing& l) {
  return Value{{"id", l.id},
               {"status", l.status},
               {"current", l.current},
               {"previous", l.previous},
               {"on_disk", l.on_disk},
               {"created", l.created},
               {"activated", OrNull(l.activated)},
               {"revision", l.revision},
               {"user", l.user},
               {"backup", OrNull(l.backup)},
               {"backup_skipped", OrNull(l.backup_skipped)},
               {"schema_revision", OrNull(l.schema_revision)},
               {"reason", OrNull(l.reason)}};
}

}  // namespace deployctl
