// `compose`: the app's docker compose project in one release.
//
//   - compose: {app: myapp, release_id: "{{ release_id }}", state: up}
//   - compose: {app: myapp, release: current, state: stopped, services: [worker]}
//
// Arguments: app (required); release_id, or release (`current`, the default,
// reads the `current` link; or an id); state: up (default) | stopped |
// restarted | down; services: only these (not with down).
//
// Every command runs as `cd <release> && <compose> -p <project> -f
// <release>/<file> --project-directory <release> ...` (ComposeArgv, v1 or v2
// whichever the host has). The project name is fixed per app, so bringing
// up another release replaces the containers whose configuration changed
// and never starts a second copy.
//
//   up         `up -d --remove-orphans [services]`; changed when the
//              project's containers (ids, running or not) differ afterwards
//   stopped    `stop [services]`; changed when one of them was running
//   restarted  `up -d --remove-orphans [services]`, then `restart [services]`;
//              always changed
//   down       `down --remove-orphans` (volumes are kept); changed when the
//              project had containers
//
// Data: {release, release_dir, project, state, services: {name: state},
// containers: [{id, name, service, state, running, health, exit_code}]},
// read with `ps -q -a` + `docker inspect` after the change. A failed compose
// command fails the task with the last lines of its stderr (also in
// data.stderr, with data.rc).
#pragma once

#include <string>

#include "orchestrator/modules/module.h"

namespace deployctl {

class ComposeModule : public Module {
 public:
  std::string_view name() const override { return "compose"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
