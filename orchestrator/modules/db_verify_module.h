// `db_verify`: checks a stored backup of the app's database (size and
// sha256 against its manifest, decompression, and that pg_restore reads a
// custom archive to the end, or that a plain dump ends with pg_dump's
// completion line). Arguments: app (required); backup (required): a file
// name as `db list` shows it, a release id, or a backup name; never a
// path. Never changes anything, so it runs in --check too.
// Data: {file, ok, size, sha256}; failed with the reason when the backup is
// missing, incomplete, corrupt or truncated.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class DbVerifyModule : public Module {
 public:
  std::string_view name() const override { return "db_verify"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
