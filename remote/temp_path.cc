#include "remote/temp_path.h"

#include <cstdio>
#include <random>

namespace deployctl::remote {

std::string TempPathFor(const std::string& path) {
  std::string dir = ".";
  std::string name = path;
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "" : path.substr(0, slash);
    name = path.substr(slash + 1);
  }
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
  return dir + "/." + name + ".deployctl-tmp-" + suffix;
}

}  // namespace deployctl::remote
