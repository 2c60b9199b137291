#include "remote/remote_path.h"

namespace deployctl::remote {
namespace {

std::string_view StripTrailingSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (name.starts_with('/') || dir.empty()) return std::string(name);
  std::string joined(dir);
  if (!joined.ends_with('/')) joined += '/';
  return joined + std::string(name);
}

std::string BaseName(std::string_view path) {
  path = StripTrailingSlashes(path);
  const size_t slash = path.find_last_of('/');
  if (slash == std::string_view::npos || path == "/") return std::string(path);
  return std::string(path.substr(slash + 1));
}

std::string DirName(std::string_view path) {
  path = StripTrailingSlashes(path);
  const size_t slash = path.find_last_of('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(StripTrailingSlashes(path.substr(0, slash)));
}

}  // namespace deployctl::remote
