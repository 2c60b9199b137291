// docker compose v2 (`docker compose`) or docker-compose v1, whichever the
// server has, as an argv prefix for a compose project in a release.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "remote/transport.h"

namespace deployctl {

// {"docker", "compose"} or {"docker-compose"}; probes the host once per
// call (a read-only command). Throws std::runtime_error naming the host
// when neither exists.
std::vector<std::string> DetectComposeCommand(remote::Transport& host);

// The argv prefix for the app's project in `release_dir`:
// <compose> -p <project> -f <release_dir>/<file> --project-directory <release_dir>
std::vector<std::string> ComposeArgv(const std::vector<std::string>& compose, const AppConfig& app,
                                     const std::string& release_dir);

// The project name as compose writes it into container labels (v1 and v2
// lowercase it and keep [a-z0-9_-]).
std::string ComposeProjectLabel(const AppConfig& app);

// A name as compose turns it into a project name: lowercased, characters
// other than [a-z0-9_-] dropped. The default compose.project of an app.
std::string ComposeProjectName(const std::string& name);

// DetectComposeCommand, then ComposeArgv for `release_dir`. Throws
// TaskError when the host has no compose command.
std::vector<std::string> ComposeArgvOnHost(remote::Transport& host, const AppConfig& app,
                                           const std::string& release_dir);

// `docker exec -i <id>` for the one running container of the app's database
// service, found by compose label (a read-only `docker ps`); nullopt when
// the host has no docker CLI or not exactly one such container runs.
// docker-compose v1 takes 0.7 to 5 s to start on a busy host, so commands
// in the database container go this way when they can, with
// `compose exec -T` as the fallback.
std::optional<std::vector<std::string>> DatabaseContainerExec(remote::Transport& host,
                                                              const AppConfig& app);

}  // namespace deployctl
