// The app's templates (apps.NAME.templates), rendered on the controller
// with the host's variables before any host changes, then written into the
// release.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

struct RenderedFile {
  std::string dest;  // relative to the release
  std::string text;
  unsigned mode = 0644;  // 0600 when the text holds a secret
};

// Renders every template with `vars` plus app, release_id and
// release_path. A template is looked up in <source_root>/templates/, then
// among deployctl's built-in ones. Throws TaskError naming the template
// when it is missing, does not render, or writes at or under a shared path.
std::vector<RenderedFile> RenderReleaseTemplates(const AppConfig& app, const Value& vars,
                                                 const std::string& source_root,
                                                 const std::string& release_id);

// Writes the rendered files into `release`, creating directories.
void WriteRenderedFiles(remote::Transport& host, const std::string& release,
                        const std::vector<RenderedFile>& files);

}  // namespace deployctl
