// What `deployctl rollback` does, decided from what one host has: which
// release `current` goes back to, the schema revision recorded for it, the
// releases whose code goes away, and the backup that `--restore-database`
// restores. A pure function of the journal, `current` and the backups, so
// every rule is unit-tested; the rollback_plan module reads them.
//
// Rules (PRODUCT.md "rollback", docs/rollback.md):
//  - The target is `to` when given, else the previous release: the newest
//    `good` release older than current. It must be in the journal with
//    status `good` (a `bad` release is never a rollback target; a `pending`
//    one never went live) and must not be current.
//  - Its schema revision is the journal's (recorded at its deploy); when the
//    journal has none, the one in the manifest of the matching backup, which
//    was taken while the target was live.
//  - The matching backup is the automatic backup taken just before the
//    release being undone went live: among automatic backups with a good
//    manifest, of a release newer than the target and not newer than
//    current, taken while the target was live (manifest live_release), the
//    newest: it loses the fewest writes (a deploy that failed and was put
//    back leaves an older one taken while the target was live too).
//    Manifests without live_release: the backup the journal records for the
//    first release after the target that has one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/journal.h"
#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"

namespace deployctl {

// The rollback cannot go where it was asked to (no such release, a bad
// one, nothing deployed): nothing was changed. Exit 4.
class RollbackRefused : public Error {
 public:
  explicit RollbackRefused(const std::string& what) : Error(ExitCode::kRefused, what) {}
};

struct RollbackPlan {
  std::string current;   // the release rolled away from
  std::string target;    // the release rolled back to
  bool forward = false;  // the target is newer than current (--to a newer good release)
  std::optional<std::string> target_schema_revision;
  std::string schema_revision_source;  // "journal", "backup <file>", "" when unknown
  std::vector<std::string>
      undone;  // live/good releases after the target up to current, oldest first
  std::optional<std::string> backup;          // the matching backup file (in backups/)
  std::optional<std::string> backup_release;  // the release it was taken before
  long long backup_created = 0;
  std::optional<std::string> backup_schema_revision;
  std::string backup_problem;  // why there is no matching backup
};

struct RollbackRequest {
  std::string app;
  std::string host;  // for messages
  std::string to;    // a release id, or empty: the previous release
};

// Throws RollbackRefused with one message that says what to do instead
// (the releases one can go back to).
RollbackPlan PlanRollback(const RollbackRequest& request, const Journal& journal,
                          const std::optional<std::string>& current,
                          const std::vector<BackupListing>& backups);

// The plan as the module's result data.
Value RollbackPlanToJson(const RollbackPlan& plan);

}  // namespace deployctl
