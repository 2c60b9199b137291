// `db_replaced`: what happens to the databases a restore replaced
// (`<db>__before_<ts>`, kept by db_restore so that undoing a restore is a
// rename). Runs on the database host (delegate it there, run_once).
//
//   - db_replaced: { app: myapp, state: live, database: "{{ restore.before_database }}" }
//   - db_replaced: { app: myapp, state: pruned }
//
// state: live puts `database` back as the app's database: it stops the
// app's other running containers, then swaps by rename the way db_restore
// does (the restored database becomes `<db>__failed_<ts>`, kept: the app
// may have written to it). With start_services: true it starts them again;
// by default the playbook starts the release it puts back itself. Used
// when the app fails its health check on a restored database.
//
// state: pruned drops replaced databases beyond
// database.keep_replaced_databases (newest kept, default 1), but only one
// whose safety backup (a db_backup_safety_* whose manifest's
// dumped_database names it) is in the backups directory: nothing is
// dropped that exists nowhere else. `<db>__failed_<ts>` databases are never
// dropped here.
//
// Data: {database, failed_database (live), dropped [names], kept [names],
// kept_without_safety_backup [names] (pruned), sql_via}.
#pragma once

#include <functional>

#include "orchestrator/modules/module.h"

namespace deployctl {

class DbReplacedModule : public Module {
 public:
  // `now` gives UTC epoch seconds (the `__failed_<ts>` name); tests pass a
  // fixed clock.
  explicit DbReplacedModule(std::function<long long()> now = nullptr);
  std::string_view name() const override { return "db_replaced"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;

 private:
  std::function<long long()> now_;
};

}  // namespace deployctl
