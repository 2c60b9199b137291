// `release`: creates releases/<release_id> of an app on one host, puts the
// code there, links the shared files, renders the app's templates, writes
// .deployctl-release.json and records the release in the journal as
// `pending`. Never touches `current`. The work is CreateRelease
// (orchestrator/app/release_create.h); see docs/deploy.md.
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

#include "orchestrator/modules/module.h"

namespace deployctl {

const Module& ReleaseModule();
const Module& SharedCheckModule();

}  // namespace deployctl
