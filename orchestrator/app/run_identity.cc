#include "orchestrator/app/run_identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <random>

#include "orchestrator/app/lock_info.h"

namespace deployctl {
namespace {

std::string RandomToken() {
  std::random_device random;
  std::string token;
  for (int i = 0; i < 16; ++i) token += "0123456789abcdef"[random() % 16];
  return token;
}

std::string CurrentUser() {
  for (const char* var : {"DEPLOYCTL_USER", "USER", "LOGNAME"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return v;
  }
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  return "uid" + std::to_string(getuid());
}

}  // namespace

Value NewRunIdentity(const std::string& command) {
  char hostname[256] = {0};
  gethostname(hostname, sizeof hostname - 1);
  return Value{{"token", RandomToken()},
               {"user", CurrentUser()},
               {"controller", std::string(hostname)},
               {"pid", static_cast<long long>(getpid())},
               {"started", IsoUtc(static_cast<long long>(std::time(nullptr)))},
               {"command", command}};
}

Value RunIdentity(const Value& vars) {
  if (vars.is_object() && vars.contains("deployctl_run") && vars["deployctl_run"].is_object()) {
    return vars["deployctl_run"];
  }
  static const Value once = NewRunIdentity("");
  return once;
}

std::string RunField(const Value& run, const std::string& key) {
  return run.is_object() && run.contains(key) && run[key].is_string() ? run[key].get<std::string>()
                                                                      : "";
}

}  // namespace deployctl
