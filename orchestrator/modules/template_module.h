// `template`: renders the local template `src` (looked up in
// <project_dir>/templates/, then <project_dir>/) with the host's variables
// and puts the result at `dest` exactly as `copy` puts content. mode,
// owner, group, force as in copy.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class TemplateModule : public Module {
 public:
  std::string_view name() const override { return "template"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
