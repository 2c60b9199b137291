// `release_prune`: retention for one app on one host, planned by PlanPrune
// (orchestrator/app/journal.h) from the journal and `current`, never from
// mtimes.
//
//   release_prune: { app: myapp }
//
// Removes (rm -rf) releases beyond keep_releases good ones counting
// current, and every bad or pending release but current; never current,
// never the previous release; drops them from the journal. With a database:
// removes automatic backups beyond database.keep_backups except those the
// current and previous release need, manual ones beyond
// keep_manual_backups, safety ones beyond keep_safety_backups, never named
// ones; a backup and its manifest go together. Release directories the
// journal does not know are left alone. Data: {removed_releases,
// removed_backups, kept_releases}.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

const Module& ReleasePruneModule();

}  // namespace deployctl
