#include "orchestrator/core/builtin_files.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>

namespace deployctl {

std::string BuiltinFile(const std::string& kind, const std::string& name) {
  namespace fs = std::filesystem;
  std::string env = "DEPLOYCTL_";
  for (char c : kind) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* dir = std::getenv(env.c_str()); dir != nullptr && *dir != '\0') {
    return (fs::path(dir) / name).string();
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share/deployctl" / kind / name;
    if (fs::exists(installed, ec)) return installed.string();
  }
  return (fs::path(DEPLOYCTL_SOURCE_DIR) / kind / name).string();
}

}  // namespace deployctl
