#include "orchestrator/app/release_source.h"

#include <filesystem>

#include "orchestrator/core/error.h"
#include "remote/local/local_transport.h"

namespace deployctl {

namespace fs = std::filesystem;

std::optional<ArchiveKind> ArchiveKindOf(const std::string& path) {
  static const std::vector<std::pair<std::vector<std::string>, ArchiveKind>> kinds = {
      {{".tar.gz", ".tgz"}, {"tar.gz", {"-xzf"}}},
      {{".tar.zst", ".tzst"}, {"tar.zst", {"--zstd", "-xf"}}},
      {{".tar.xz", ".txz"}, {"tar.xz", {"-xJf"}}},
      {{".tar.bz2", ".tbz2"}, {"tar.bz2", {"-xjf"}}},
      {{".tar"}, {"tar", {"-xf"}}},
  };
  for (const auto& [endings, kind] : kinds) {
    for (const auto& ending : endings) {
      if (path.ends_with(ending)) return kind;
    }
  }
  return std::nullopt;
}

std::string ResolveSourcePath(const AppConfig& app, const std::string& source_root) {
  if (app.source.path.empty() || app.source.path.starts_with('/')) return app.source.path;
  return (fs::path(source_root.empty() ? "." : source_root) / app.source.path)
      .lexically_normal()
      .string();
}

std::optional<std::string> SourceProblem(const AppConfig& app, const std::string& source_root) {
  if (app.source.type == "git") return std::nullopt;
  const std::string path = ResolveSourcePath(app, source_root);
  const std::string named = "apps." + app.name + ".source.path '" + app.source.path + "'" +
                            (path == app.source.path ? "" : " (" + path + ")");
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return named + " does not exist on this machine";
  if (app.source.type == "dir" && !fs::is_directory(status)) {
    return named + " is not a directory (source.type is dir)";
  }
  if (app.source.type == "archive") {
    if (!fs::is_regular_file(status)) return named + " is not a file (source.type is archive)";
    if (!ArchiveKindOf(path)) {
      return named + ": archives must be .tar, .tar.gz, .tgz, .tar.zst, .tar.xz or .tar.bz2";
    }
  }
  return std::nullopt;
}

void CheckSourceExists(const AppConfig& app, const std::string& source_root) {
  if (auto problem = SourceProblem(app, source_root)) throw UsageError(*problem);
}

void PackDirectory(const std::string& dir, const std::string& out) {
  remote::LocalTransport controller("localhost");
  const remote::CommandResult packed =
      controller.Run(remote::Command::Argv({"tar", "--sort=name", "-C", dir, "-cf", out, "."}));
  remote::CheckRan(packed, "packing " + dir + " with tar");
}

Value SourceJson(const AppConfig& app, const std::string& source_path) {
  if (app.source.type == "git") {
    return Value{{"type", "git"}, {"url", app.source.url}, {"ref", app.source.ref}};
  }
  return Value{{"type", app.source.type}, {"path", source_path}};
}

}  // namespace deployctl
