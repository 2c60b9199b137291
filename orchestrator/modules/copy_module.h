// `copy`: puts `content` or the local file `src` (looked up in
// <project_dir>/files/, then <project_dir>/) at `dest` on the host, only
// when the checksums differ. dest ending in / or naming a directory means
// dest/<basename of src>. mode (default 0644 for new files), owner, group,
// force (false: leave an existing dest alone).
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class CopyModule : public Module {
 public:
  std::string_view name() const override { return "copy"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
