// `debug`: shows a message or a variable, changes nothing, as Ansible's.
//   - debug: {msg: "deployed {{ release_id }}"}   (default "Hello world!")
//   - debug: {var: result.stdout}                 (any expression)
// The text is the result's msg (data.msg): "deployed 1748602032", or for
// var "result.stdout: <value>" with the value also in data[<var>]. An
// undefined var shows "VARIABLE IS NOT DEFINED!" and does not fail.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class DebugModule : public Module {
 public:
  std::string_view name() const override { return "debug"; }
  std::vector<ArgSpec> args() const override { return {{"msg"}, {"var"}}; }
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
