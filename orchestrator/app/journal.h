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
// Good or live: counts toward keep_releases, and can be "previous".
bool CountsAsGood(const std::string& status);

std::optional<std::string> PreviousRelease(const Journal& journal,
                                           const std::optional<std::string>& current);

}  // namespace deployctl
