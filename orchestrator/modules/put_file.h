// The one write path of `copy` and `template`: compare checksums, write
// only when the content differs (atomically, through the transport), then
// fix mode/owner/group.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"

namespace deployctl {

struct PutRequest {
  std::string dest;
  // The bytes, in memory (copy content, a rendered template) ...
  std::optional<std::string> content;
  // ... or a local file to upload.
  std::string local_path;
  // The file name used when dest is a directory (dest/<name>); empty
  // refuses a directory dest.
  std::string name;
  Attributes want;    // mode defaults to 0644 for new files, else stays
  bool force = true;  // false: never replace an existing dest
};

// Data: dest, checksum (sha256), size, mode, changed. Throws ModuleError.
ModuleResult PutFile(ModuleContext& ctx, const PutRequest& request);

// `src` if absolute, else the first of `dirs`/`src` that exists. Throws
// ModuleError naming every place tried.
std::string FindLocalFile(const ModuleArgs& args, const std::string& src,
                          const std::vector<std::string>& dirs);

}  // namespace deployctl
