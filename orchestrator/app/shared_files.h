// The app's shared files and directories (apps.NAME.shared): kept in
// <root>/shared, linked into every release. Entries ending in '/' are
// directories, created when missing; files must already exist.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "remote/transport.h"

namespace deployctl {

// The entry's path without its trailing '/'.
std::string SharedPath(const std::string& entry);

// Read-only: one message per shared file missing in <root>/shared on
// `host` ("shared file '.env' is missing in /opt/myapp/shared on web1");
// empty when all are there. Directories are never missing.
std::vector<std::string> CheckSharedFiles(remote::Transport& host, const AppConfig& app);

// Links every shared entry into `release` (replacing what the release has
// at that path), creating shared directories first. Throws TaskError.
void LinkShared(remote::Transport& host, const AppConfig& app, const std::string& release);

}  // namespace deployctl
