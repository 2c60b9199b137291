// deployctl db backup|list|restore|verify: runs playbooks/db.yml for one app.
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/workflow.h"

namespace deployctl {

ExitCode RunDbCommand(const CommonOptions& /*common*/, const WorkflowOptions& /*workflow*/,
                      const DbOptions& options) {
  throw Error(ExitCode::kTaskFailed, "db " + options.action + " is not implemented yet");
}

}  // namespace deployctl
