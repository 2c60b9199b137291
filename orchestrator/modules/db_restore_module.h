// `db_restore`: restores a stored backup of the app's database, safely.
// Runs on the database host (delegate it there, run_once). The saga is
// RestoreDatabase (orchestrator/app/restore_database.h); see
// docs/backups.md.
//
//   - db_restore: { app: myapp, backup: db_backup_1748602032.dump.zst }
//   - db_restore: { app: myapp, backup: "{{ target_release }}", start_services: false }
//   - db_restore: { app: myapp, backup: v2.0.0, target: scratch }
//
// Arguments:
//   app (required)
//   backup (required): a file name as `db list` shows it, a release id (its
//     automatic backup) or a backup name; never a path.
//   target: live (default) replaces the app's database; scratch restores
//     into `<db>__verify_<ts>`, compares row counts and drops it again (what
//     `deployctl db verify` does after checking the file).
//   safety_backup (default true): after the swap, take
//     `db_backup_safety_<ts>` of the replaced database `<db>__before_<ts>`
//     (target: live). Playbooks that health-check the app first set it to
//     false and run `db_backup: {kind: safety, database: ...}` themselves.
//   stop_services (default true): stop the app's other running containers
//     (not the database's) for the swap: `docker stop <ids>` (found by
//     compose label before the swap), or `compose stop` without docker.
//   start_services (default true): start the services it stopped again
//     after the swap (or after a failed swap). Set it to false when the
//     playbook starts another release itself (rollback: switch `current`,
//     then `compose: state: up`, then `healthcheck`).
//   jobs (default 2): pg_restore -j.
//   sql: auto (default) | libpq | psql: how database-level SQL runs (below).
//
// target: live, in this order; any failure before step 5 leaves the live
// database exactly as it was (the half-restored one is dropped) and the
// services running:
//   1. verify the backup while staging it in the database container:
//      manifest, size, sha256 and the codec's checksum in one read of the
//      file, then the archive's table of contents (BuildStageScript). A
//      file that fails is refused before anything in the database changes;
//   2. create `<db>__restore_<ts>` like the live database (owner, encoding,
//      locale, settings, grants carry over);
//   3. restore into it on the server from the staged dump (pg_restore -j2
//      --exit-on-error, or psql -v ON_ERROR_STOP=1 for .sql.gz), ANALYZE;
//   4. compare its row counts with the manifest's;
//   5. stop the app services, block connections to the live database,
//      terminate its sessions, rename live -> `<db>__before_<ts>` and
//      restored -> `<db>` in one transaction;
//   6. start the services again;
//   7. the safety backup of `<db>__before_<ts>` (a failure is a warning in
//      the message and data.safety_backup_error: the database is kept).
// If step 5 fails, connections are allowed again, services started, and
// the restored database dropped: the live one is unchanged.
//
// Data: {file, target, database, restored_database, before_database (null
// for scratch, or when the swap did not happen), safety_backup (file name
// or null), safety_backup_error, swapped (bool), stopped_services [names], tables {name: rows},
// schema_revision, restore_seconds, unavailable_seconds (services stopped
// until started again; null when not started by the module), sql_via}.
// The failure message says which step failed and that the live database
// was not changed (or, after the swap, that it was).
//
// Database-level statements (create, copy settings and grants, block,
// terminate, rename, drop, checks) run as database.user on the maintenance
// database `postgres`: with sql: auto, through libpq from the controller
// (orchestrator/db/pg_session.h) over an SSH forward to the server's port
// (SHOW port / listen_addresses, read in the container; password: the
// container's POSTGRES_PASSWORD, else the controller's PGPASSWORD/.pgpass),
// and when that cannot connect, through psql in the database container
// (`compose exec -T <service> psql`); data.sql_via says which. The user
// needs CREATEDB and to own the database (or be a superuser). The data
// itself never leaves the server. In --check, the manifest is read and the
// rest is only described.
#pragma once

#include <functional>

#include "orchestrator/modules/module.h"

namespace deployctl {

class DbRestoreModule : public Module {
 public:
  // `now` gives UTC epoch seconds (database names, safety backup); tests
  // pass a fixed clock.
  explicit DbRestoreModule(std::function<long long()> now = nullptr);
  std::string_view name() const override { return "db_restore"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;

 private:
  std::function<long long()> now_;
};

}  // namespace deployctl
