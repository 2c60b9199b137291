// `file`: a path's kind and attributes. path (aliases dest, name); state:
//   file       the path must exist; fix mode/owner/group (the default, and
//              when state is left out the path may be any existing kind)
//   directory  mkdir -p when missing
//   link       a symlink to `src`, replaced atomically when it points
//              elsewhere; `force` replaces a file that is in the way
//   absent     rm -rf when it exists
//   touch      create or update the timestamps (always changed)
// mode (octal or symbolic), owner, group.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class FileModule : public Module {
 public:
  std::string_view name() const override { return "file"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
