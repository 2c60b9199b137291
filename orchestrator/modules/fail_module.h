// `fail`: fails the task with `msg` (default "Failed as requested from
// task"), as Ansible's fail. Usually with `when:`. deployctl adds
// `refused: true`, for a failure that is a refusal (lock held, schema moved
// on): the run then exits with status 4 instead of 1.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class FailModule : public Module {
 public:
  std::string_view name() const override { return "fail"; }
  std::vector<ArgSpec> args() const override { return {{"msg"}, {"refused"}}; }
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
