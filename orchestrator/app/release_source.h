// Where a release's code comes from (apps.NAME.source): a directory or an
// archive on the controller, or a git repository the host clones. Resolved
// and checked on the controller before any host changes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/core/value.h"

namespace deployctl {

// How an archive source is unpacked, by its extension.
struct ArchiveKind {
  std::string extension;           // for the upload's name
  std::vector<std::string> flags;  // tar's extract flags
};

// .tar, .tar.gz/.tgz, .tar.zst/.tzst, .tar.xz/.txz, .tar.bz2/.tbz2.
std::optional<ArchiveKind> ArchiveKindOf(const std::string& path);

// source.path resolved against `source_root` (absolute paths stay).
std::string ResolveSourcePath(const AppConfig& app, const std::string& source_root);

// Why a dir or archive source cannot be used (missing, wrong kind, unknown
// archive type), naming the path as configured and as resolved; nullopt
// when it can (git sources always can: the host clones them).
std::optional<std::string> SourceProblem(const AppConfig& app, const std::string& source_root);

// For the CLI, before it connects: throws UsageError (exit 2) with
// SourceProblem's text.
void CheckSourceExists(const AppConfig& app, const std::string& source_root);

// tar of the local directory `dir` into `out`, run on the controller
// through the local transport. Throws TaskError with tar's stderr.
void PackDirectory(const std::string& dir, const std::string& out);

// The source as .deployctl-release.json records it.
Value SourceJson(const AppConfig& app, const std::string& source_path);

}  // namespace deployctl
