// `fail`: fails the task with `msg` (default "Failed as requested from
// task"), as Ansible's fail. Usually with `when:`.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class FailModule : public Module {
 public:
  std::string_view name() const override { return "fail"; }
  std::vector<ArgSpec> args() const override { return {{"msg"}}; }
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
