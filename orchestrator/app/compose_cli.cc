#include "orchestrator/app/compose_cli.h"

#include <stdexcept>

namespace deployctl {

std::vector<std::string> DetectComposeCommand(remote::Transport& host) {
  remote::Command probe = remote::Command::Shell(
      "if docker compose version >/dev/null 2>&1; then echo v2; "
      "elif command -v docker-compose >/dev/null 2>&1; then echo v1; else echo none; fi");
  probe.read_only = true;
  remote::CommandResult r = host.Run(probe);
  if (r.out.rfind("v2", 0) == 0) return {"docker", "compose"};
  if (r.out.rfind("v1", 0) == 0) return {"docker-compose"};
  throw std::runtime_error(host.host() +
                           ": neither 'docker compose' nor 'docker-compose' is installed");
}

std::vector<std::string> ComposeArgv(const std::vector<std::string>& compose, const AppConfig& app,
                                     const std::string& release_dir) {
  std::vector<std::string> argv = compose;
  argv.insert(argv.end(), {"-p", app.compose.project, "-f", release_dir + "/" + app.compose.file,
                           "--project-directory", release_dir});
  return argv;
}

}  // namespace deployctl
