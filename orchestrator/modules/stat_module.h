// `stat`: facts about a path, never a change. path (aliases dest, name),
// get_checksum (default true). Data: stat: {exists, and when it exists:
// isdir, isreg, islnk, mode ('0644'), size, mtime; lnk_target for links;
// checksum (sha256) for regular files}. Links are not followed, as in
// Ansible's default.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class StatModule : public Module {
 public:
  std::string_view name() const override { return "stat"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
