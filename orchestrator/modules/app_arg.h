// The app a module works on: its required `app` argument, resolved against
// the host's variables (apps.<name>, templated). Shared by the modules that
// act on an app's database.
#pragma once

#include "orchestrator/app/app_config.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {

// Throws ModuleError with the config problem (unknown app, a bad key), and,
// with require_database, when the app has no database section.
AppConfig AppFromArgs(const ModuleArgs& args, const Value& vars, bool require_database);

}  // namespace deployctl
