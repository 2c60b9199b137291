// Extra variables from the command line, as Ansible takes them:
// `KEY=VALUE` words, `-e KEY=VALUE [KEY2=VALUE2 ...]`, `-e '{"json": 1}'`,
// `-e @vars.yml`. Values from KEY=VALUE are strings.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/core/value.h"

namespace deployctl {

// Merges one -e argument (or one KEY=VALUE word) into `vars`. Throws
// UsageError naming the argument when it is none of the accepted forms.
void AddExtraVars(const std::string& argument, Value& vars);

}  // namespace deployctl
