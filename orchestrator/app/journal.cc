#include "orchestrator/app/journal.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "orchestrator/app/backup_naming.h"

namespace deployctl {
namespace {

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

}  // namespace

bool CountsAsGood(const std::string& status) {
  return status == kGood || status == kLive;
}

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

}  // namespace deployctl
