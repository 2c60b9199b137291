// `rollback_plan`: decides, read-only, where a rollback of the app goes on
// this host (PlanRollback, orchestrator/app/rollback_plan.h) and checks
// that the release is there to go to.
//
//   rollback_plan: { app: myapp }                       # the previous release
//   rollback_plan: { app: myapp, to: "1748602032" }     # --to
//
// Arguments: app (required); to: a release id, or "" / "previous" (the
// default). Reads the journal, the `current` link, releases/<target> and,
// when the app has a database, the backups and their manifests (the
// playbook runs it on the database host first, then on every host with the
// chosen id). Never changes anything, so it runs in --check too.
//
// Refused (exit 4, nothing changed) when the target does not exist, is
// bad or pending, is current, or there is nothing to go back to; the
// message lists the releases one can go back to.
// Data: RollbackPlanToJson plus {database: the app has a database section}.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class RollbackPlanModule : public Module {
 public:
  std::string_view name() const override { return "rollback_plan"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
