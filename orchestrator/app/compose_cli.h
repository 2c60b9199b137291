// docker compose v2 (`docker compose`) or docker-compose v1, whichever the
// server has, as an argv prefix for a compose project in a release.
#pragma once

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

}  // namespace deployctl
