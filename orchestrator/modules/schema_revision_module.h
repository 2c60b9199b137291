// `schema_revision`: reads the schema revision of the app's PostgreSQL
// database as it is now (the definition is in orchestrator/app/
// backup_metadata.h: database.schema_revision_query, else Alembic's
// version_num, else a checksum of the schema read from the catalogs). The
// deploy records it in the journal after migrations; the rollback compares
// it with the one recorded for the release it goes back to.
//
//   schema_revision: { app: myapp, release_id: "{{ release_id }}" }
//   schema_revision: { app: myapp }          # the current release's project
//
// Arguments: app (required); release_id, or release (`current`, the
// default, or an id): the release whose compose project runs the database;
// wait_timeout (seconds to wait for the database, default 60).
//
// Runs on the host it is given (the playbooks delegate it to the database
// host). First one script polls `<compose> exec -T <database.service>
// pg_isready -U <user> -d <name>` about once a second (a database that was
// just started may still be initialising); then `<compose> exec -T
// <database.service> psql -X -q -A -t -v ON_ERROR_STOP=1 -U <user> -d
// <name>` reads SchemaRevisionSql from stdin. Both only read, so they run
// in --check too; in --check a release that does not exist yet (a deploy's
// new one) is not read ("would read"). Never changed.
//
// Skipped (ok, data.skipped) when the app has no database section.
// Data: {release, schema_revision (string, or null when skipped or not
// read), skipped}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orchestrator/modules/module.h"

namespace deployctl {

class SchemaRevisionModule : public Module {
 public:
  std::string_view name() const override { return "schema_revision"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
