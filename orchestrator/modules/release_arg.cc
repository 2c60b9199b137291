#include "orchestrator/modules/release_arg.h"

#include <optional>
#include <stdexcept>

#include "orchestrator/app/service_status.h"

namespace deployctl {

std::string ReleaseIdFromArgs(const ModuleArgs& args, remote::Transport& host,
                              const AppConfig& app) {
  const auto release_id = args.String("release_id");
  const auto release = args.String("release");
  if (release_id && release) args.Fail("give 'release_id' or 'release', not both");
  std::string id = release_id ? *release_id : release.value_or("current");
  if (id == "current") {
    std::optional<std::string> current;
    try {
      current = CurrentReleaseId(host, app);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::runtime_error& e) {
      args.Fail(e.what());
    }
    if (!current) {
      args.Fail("app '" + app.name + "' has no current release on " + host.host() + " (" +
                app.current_link() + " does not exist)");
    }
    return *current;
  }
  if (!IsValidReleaseId(id)) {
    args.Fail("release id '" + id + "' must be digits (UTC epoch seconds), or release: current");
  }
  return id;
}

}  // namespace deployctl
