// The release journal, <root>/.deployctl/journal.json: which releases an app
// has on a host, their status and the backup each one needs. The release
// modules keep it; `deployctl releases` reads it. See
// docs/design/deploy-workflow.md and docs/deploy.md.
//
// Which release is current always comes from the `current` link, never from
// the journal or from mtimes. The journal is rewritten whole, atomically
// (Transport::WriteFile), by the run that holds the app's lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_naming.h"
#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

// A journal or `current` link that cannot be used as it is (unreadable JSON,
// `current` pointing outside releases/). A task failure, never a crash.
class JournalError : public Error {
 public:
  explicit JournalError(const std::string& what) : Error(ExitCode::kTaskFailed, what) {}
};

// Release statuses: created and never live; current; was live and was
// superseded normally; failed or rolled back away from (never counted,
// never a rollback target).
inline constexpr const char* kPending = "pending";
inline constexpr const char* kLive = "live";
inline constexpr const char* kGood = "good";
inline constexpr const char* kBad = "bad";
bool IsReleaseStatus(const std::string& status);

struct JournalRelease {
  std::string id;
  std::string revision;
  std::string user;
  long long created = 0;  // epoch seconds
  std::string status = kPending;
  std::optional<std::string> backup;          // file name in backups/
  std::optional<std::string> backup_skipped;  // why no backup was taken
  std::optional<std::string> schema_revision;
  std::optional<long long> activated;  // when it last went live
  std::optional<std::string> reason;   // why it has its status (release_mark)
  Value extra = Value::object();       // keys this version does not know: kept as they are
};

struct Journal {
  std::string app;
  std::vector<JournalRelease> releases;  // oldest first (release id order)

  JournalRelease* Find(const std::string& id);
  const JournalRelease* Find(const std::string& id) const;
  // Inserts `release` at its place in id order; replaces one with its id.
  void Put(JournalRelease release);
  // Removes the release `id`; false when it is not there.
  bool Drop(const std::string& id);
};

// Numeric order of release ids: "999" < "1000".
bool ReleaseIdLess(const std::string& a, const std::string& b);

// JSON form, as the design note fixes it. FromJson throws JournalError
// naming `where` (the file) when the document is not a journal.
Value JournalToJson(const Journal& journal);
Journal JournalFromJson(const Value& json, const std::string& where);

// Reads <root>/.deployctl/journal.json; a missing file is an empty journal.
// Throws JournalError (unreadable) naming host and path.
Journal LoadJournal(remote::Transport& host, const AppConfig& app);
// Writes it (atomically, mode 0644). <root>/.deployctl must exist.
void SaveJournal(remote::Transport& host, const AppConfig& app, const Journal& journal);

// The release id `current` points to, from lstat of <root>/current (no
// command runs); nullopt when there is no `current`. Throws JournalError
// when `current` is not a symbolic link to releases/<id>.
std::optional<std::string> ReadCurrentRelease(remote::Transport& host, const AppConfig& app);

// The newest `good` release older than `current` (every good release when
// there is no current): the rollback target.
std::optional<std::string> PreviousRelease(const Journal& journal,
                                           const std::optional<std::string>& current);

// ---------------------------------------------------------------- pruning

struct BackupFile {
  std::string file;  // name in backups/, e.g. db_backup_1748602032.dump.zst
  BackupKind kind = BackupKind::kNamed;
  std::string key;  // automatic: the release id; manual/safety: the timestamp; named: the name
};

// A backup file by its name, read as ParseBackupFileName (backup_naming.h)
// reads it (db_backup_<release>|manual_<ts>|safety_<ts>|<name> with
// .dump.zst, .dump.gz or .sql.gz); nullopt for anything else (manifests,
// temp files, files deployctl did not name: never pruned). `manifest` is the backup's
// <file>.manifest.json when it has one: its "kind" (automatic, manual,
// safety, named) and "release" win over the name, so a named backup called
// "20240101" is never mistaken for an automatic one.
std::optional<BackupFile> ClassifyBackup(const std::string& file_name,
                                         const std::optional<Value>& manifest = std::nullopt);

struct PruneLimits {
  int keep_releases = 5;
  bool prune_backups = false;  // the app has a database
  int keep_backups = 5;
  int keep_days = 0;  // automatic backups younger than this are kept too
  long long now = 0;  // epoch seconds, for keep_days
  int keep_manual_backups = 10;
  int keep_safety_backups = 3;
};

struct PrunePlan {
  std::vector<std::string> remove_releases;  // ids, oldest first
  std::vector<std::string> keep_releases;    // ids, newest first
  std::vector<std::string> remove_backups;   // file names (their manifests go with them)
};

// What retention removes. A pure function: only the journal's statuses and
// id order count, never mtimes.
//  - Releases: `current` and the previous release are always kept;
//    keep_releases counts good (or live) releases including current, newest
//    first; bad and pending releases other than current are removed;
//    statuses this version does not know are left alone.
//  - Backups: automatic ones beyond keep_backups (newest release first) are
//    removed, except the automatic backups of current and of the previous
//    release and those younger than keep_days (their release id is the time
//    they were taken); manual ones beyond keep_manual_backups and safety ones beyond
//    keep_safety_backups (newest timestamp first); named ones never.
PrunePlan PlanPrune(const Journal& journal, const std::optional<std::string>& current,
                    const std::vector<BackupFile>& backups, const PruneLimits& limits);

// ------------------------------------------------------ deployctl releases

struct ReleaseListing {
  std::string id;
  std::string status;  // journal status; "unknown" for a directory the journal does not know
  bool current = false;
  bool previous = false;  // the rollback target
  bool on_disk = false;   // releases/<id> exists
  long long created = 0;
  std::optional<long long> activated;
  std::string revision;
  std::string user;
  std::optional<std::string> backup;
  std::optional<std::string> backup_skipped;
  std::optional<std::string> schema_revision;
  std::optional<std::string> reason;
};

// Every release of `app` on `host`, newest first: the journal's releases
// and any directory in releases/ it does not know, current marked. Only
// reads (lstat, the journal, one read-only `ls`).
std::vector<ReleaseListing> ListReleases(remote::Transport& host, const AppConfig& app);

// The listing as JSON (for --output json and `register`).
Value ReleaseListingToJson(const ReleaseListing& listing);

}  // namespace deployctl
