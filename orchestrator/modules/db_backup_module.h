// `db_backup`: the app's PostgreSQL database dumped into
// <root>/backups/<file> on the host it runs on (the engine delegates it to
// the database host), checked, then described by <file>.manifest.json.
// Arguments: app (required); kind: automatic (default) | manual | named |
// safety; release (automatic: the release the backup belongs to, which
// names the file db_backup_<release>); name (named); live_release
// (recorded); database (safety only: dump `<db>__before_<ts>`, the
// database a restore replaced, instead of the live one; the manifest
// records it as dumped_database and it restores as the app's database).
// See docs/backups.md.
//
// Data: {file, path, size, sha256, kind, skipped, reason, schema_revision}.
// An automatic backup is skipped (ok, skipped=true, reason) when nothing is
// deployed yet or the database service has no container (first deploy);
// any other kind fails then. A failed backup removes its partial file and
// writes no manifest; with database.backup_required: false an automatic
// backup that fails is ok with a warning (skipped=true). In --check the
// pipeline is recorded, not run.
#pragma once

#include <functional>

#include "orchestrator/modules/module.h"

namespace deployctl {

class DbBackupModule : public Module {
 public:
  // `now` gives the UTC epoch seconds (manual and safety file names, and
  // the manifest's `created`); tests pass a fixed clock.
  explicit DbBackupModule(std::function<long long()> now = nullptr);
  std::string_view name() const override { return "db_backup"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;

 private:
  std::function<long long()> now_;
};

}  // namespace deployctl
