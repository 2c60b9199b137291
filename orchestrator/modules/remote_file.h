// Looking at and adjusting files on the managed host, shared by the file,
// copy, template and stat modules. Every probe here is read-only, so it
// also runs in --check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/modules/file_mode.h"
#include "orchestrator/modules/module.h"
#include "remote/stat_follow.h"
#include "remote/transport.h"

namespace deployctl {

// Files up to this size are checksummed by reading them (no remote tool
// needed); bigger ones with `sha256sum`.
constexpr unsigned long long kReadToChecksumLimit = 1 << 20;

// The SHA-256 of the regular file `path` of `size` bytes. Throws
// ModuleError when it cannot be read.
std::string RemoteSha256(remote::Transport& host, const std::string& path, unsigned long long size);

// Wanted mode and ownership; unset parts are left alone.
struct Attributes {
  std::optional<FileMode> mode;
  std::optional<std::string> owner;
  std::optional<std::string> group;
};

// `owner` and `group` arguments (the mode is parsed by the caller, whose
// default differs).
Attributes OwnerArgs(const ModuleArgs& args);

// Brings `path` (currently `current`, as StatFollow saw it) to `want`:
// chmod when the mode differs, chown when owner or group differ (asked with
// a `stat -c` probe). For a path this run creates, pass `current` with
// exists=false and the mode a symbolic mode should start from (0644, or
// 0755 for a directory): chmod and chown then run when asked for. Returns what changed, e.g. "mode
// 0644 -> 0600"; empty when nothing did. Throws ModuleError when a command fails.
std::vector<std::string> ApplyAttributes(ModuleContext& ctx, const std::string& path,
                                         const remote::RemoteFileInfo& current,
                                         const Attributes& want);

// "changes; like this" for messages.
std::string JoinChanges(const std::vector<std::string>& changes);

}  // namespace deployctl
