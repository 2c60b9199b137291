// `migrate`: runs the app's database migrations in one release.
//
//   - migrate: {app: myapp, release_id: "{{ release_id }}"}
//
// Arguments: app (required); release_id, or release (`current`, the
// default, or an id); wait_timeout (seconds to wait for the database,
// default 60).
//
// Nothing to do (ok, data.skipped) when apps.NAME.migrate is not set.
// Otherwise, when apps.NAME.database is set, it first waits until the
// database accepts connections: one script on the host polls
// `<compose> exec -T <database.service> pg_isready -U <user> -d <name>`
// about once a second, up to wait_timeout seconds. Then it runs
// `<compose> exec -T <migrate.service> sh -c '<migrate.command>'` in the
// release directory (compose as in the `compose` module). changed whenever
// the migration ran; failed on a non-zero exit with its stderr.
//
// Data: {release, service, command, rc, stdout, stderr, database_wait:
// {attempts, elapsed} (null without a database section)}.
//
// compose v1 prints nothing at all when `exec` finds no running container
// (exit 1, empty stderr); in that case the message says which service is
// not running.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class MigrateModule : public Module {
 public:
  std::string_view name() const override { return "migrate"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
