// `rollback_schema_check`: before a code-only rollback, reads the schema
// revision of the live database (in the current release's compose project,
// on the database host) and applies JudgeRollbackSchema
// (orchestrator/app/rollback_schema.h): the release gone back to must run
// on the schema it was deployed with.
//
//   rollback_schema_check:
//     app: myapp
//     target: "{{ plan.target }}"
//     recorded: "{{ plan.target_schema_revision }}"   # null: none recorded
//     backup: "{{ plan.backup }}"                      # named in the refusal
//     force: "{{ rollback_force }}"
//
// Refused (exit 4, nothing changed) when the schema moved on, or cannot be
// read, without `force`. With `force`, or with no recorded revision, ok
// with a warning. Never changes anything; runs in --check too.
// Data: {schema_revision, recorded, warnings: [...], history_note}.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class RollbackSchemaCheckModule : public Module {
 public:
  std::string_view name() const override { return "rollback_schema_check"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
