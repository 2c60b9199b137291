// Who runs this deploy, from where: recorded in the lock, the journal and
// the history, and used to tell one run's temporary files from another's.
#pragma once

#include <string>

#include "orchestrator/core/value.h"

namespace deployctl {

// A new identity {token, user, controller, pid, started, command}: a
// random hex token, the user (DEPLOYCTL_USER, USER, LOGNAME, else the
// passwd entry), this host's name, this pid, now (ISO 8601 UTC).
Value NewRunIdentity(const std::string& command);

// vars["deployctl_run"] as the CLI sets it; without one (a playbook run by
// `deployctl playbook`), one made once per process with no command.
Value RunIdentity(const Value& vars);

// A field of the identity as text; empty when missing or not a string.
std::string RunField(const Value& run, const std::string& key);

}  // namespace deployctl
