// Creating releases/<id> of an app on one host: the code, the shared
// links, the rendered templates, .deployctl-release.json, and the journal
// entry (`pending`). Never touches `current`. See docs/deploy.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/release_templates.h"
#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

// What is checked before the host changes: the source exists, templates
// render, shared files exist, the id is free on the host.
struct ReleasePreflight {
  std::string source_path;  // resolved (dir, archive)
  std::vector<RenderedFile> templates;
};

// Read-only. Throws TaskError with every shared file missing, or the first
// other problem.
ReleasePreflight CheckReleaseCanBeCreated(remote::Transport& host, const AppConfig& app,
                                          const Value& vars, const std::string& release_id,
                                          const std::string& source_root);

struct ReleaseRequest {
  std::string id;
  std::string source_root;  // where a relative source.path and templates/ resolve
  std::string user;         // recorded in the journal and the release's metadata
  // Recorded in the journal entry.
  std::optional<std::string> backup;
  std::optional<std::string> backup_skipped;
  std::optional<std::string> schema_revision;
};

struct CreatedRelease {
  std::string id;
  std::string path;
  std::string revision;  // sha256 prefix of the code (dir, archive) or git HEAD
};

// Checks (as above), packs a dir source on the controller, then creates the
// release on `host`. The journal records the release as `pending` before
// the code is put in, so one that fails half-way is known and pruned.
// Throws TaskError; UnreachableError when the host is lost.
CreatedRelease CreateRelease(remote::Transport& host, const AppConfig& app, const Value& vars,
                             const ReleaseRequest& request);

}  // namespace deployctl
