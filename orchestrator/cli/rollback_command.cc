// deployctl rollback: runs playbooks/rollback.yml for one app.
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/workflow.h"

namespace deployctl {

ExitCode RunRollbackCommand(const CommonOptions& /*common*/, const WorkflowOptions& /*workflow*/,
                            const RollbackOptions& /*options*/) {
  throw Error(ExitCode::kTaskFailed, "rollback is not implemented yet");
}

}  // namespace deployctl
