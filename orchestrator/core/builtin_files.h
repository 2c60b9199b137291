// Where deployctl's own files live: the built-in playbooks (playbooks/) and
// templates (templates/). Installed: <prefix>/share/deployctl/<kind>/ next
// to <prefix>/bin/deployctl; otherwise the source tree it was built from.
#pragma once

#include <string>

namespace deployctl {

// The path of built-in file `name` of `kind` ("playbooks" or "templates").
// $DEPLOYCTL_PLAYBOOKS / $DEPLOYCTL_TEMPLATES, when set, name the directory
// instead. The file may not exist; callers say so in their own words.
std::string BuiltinFile(const std::string& kind, const std::string& name);

}  // namespace deployctl
