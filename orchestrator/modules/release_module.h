// `release`: creates releases/<release_id> of an app on one host, puts the
// code there, links the shared files, renders the app's templates, writes
// .deployctl-release.json and records the release in the journal as
// `pending`. Never touches `current`. See docs/releases.md.
//
//   release: { app: myapp, release_id: "1748602032", source_root: /home/me/proj,
//              backup: "{{ backup.file }}" }
//
// source_root: where a relative source.path and templates/ resolve (default:
// the deploy_project_dir variable, else the playbook's directory).
// backup, backup_skipped, schema_revision: recorded in the journal entry.
// Everything that can be checked is checked before the host changes: the
// source exists, templates render, shared files exist, the id is free.
// Data: {release_id, path, revision}.
//
// `shared_check`: those checks alone, read-only (for the playbook to run
// before the pre-deploy backup). Args: app; with release_id and source_root
// also the source, the templates and the id. Data: {missing: [...]}.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/modules/module.h"
#include "remote/transport.h"

namespace deployctl {

const Module& ReleaseModule();
const Module& SharedCheckModule();

// source.path resolved against `source_root` (absolute paths stay).
std::string ResolveSourcePath(const AppConfig& app, const std::string& source_root);

// For the CLI, before it connects: throws UsageError (exit 2) when a dir or
// archive source does not exist on the controller (or is the wrong kind),
// naming the path as configured and as resolved. Git sources pass.
void CheckSourceExists(const AppConfig& app, const std::string& source_root);

// Read-only: one message per shared file missing in <root>/shared on
// `host` ("shared file '.env' is missing in /opt/myapp/shared on web1");
// empty when all are there. Directories (entries ending in '/') are created
// by `release` and never missing.
std::vector<std::string> CheckSharedFiles(remote::Transport& host, const AppConfig& app);

}  // namespace deployctl
