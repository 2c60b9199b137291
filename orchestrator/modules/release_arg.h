// The release a task works on, from its `release_id` / `release` arguments
// (compose, migrate, schema_revision).
#pragma once

#include <string>

#include "orchestrator/app/app_config.h"
#include "orchestrator/modules/module_args.h"
#include "remote/transport.h"

namespace deployctl {

// `release: current` or neither: readlink current; otherwise the id given.
// Throws ModuleError for bad ids, both arguments, or no current release.
std::string ReleaseIdFromArgs(const ModuleArgs& args, remote::Transport& host,
                              const AppConfig& app);

}  // namespace deployctl
