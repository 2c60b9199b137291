// `deployctl releases`: an app's releases on one host, as the journal and
// the releases/ directory show them, with the backup each one needs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

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
