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

std::string ComposeProjectName(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') out += c;
  }
  return out;
}

std::string ComposeProjectLabel(const AppConfig& app) {
  return ComposeProjectName(app.compose.project.empty() ? app.name : app.compose.project);
}

std::optional<std::vector<std::string>> DatabaseContainerExec(remote::Transport& host,
                                                              const AppConfig& app) {
  remote::Command ps = remote::Command::Argv(
      {"docker", "ps", "-q", "--filter",
       "label=com.docker.compose.project=" + ComposeProjectLabel(app), "--filter",
       "label=com.docker.compose.service=" + app.database.service});
  ps.read_only = true;
  const remote::CommandResult r = host.Run(ps);
  if (!r.ok()) return std::nullopt;
  std::vector<std::string> ids;
  std::string line;
  for (char c : r.out + "\n") {
    if (c == '\n') {
      if (!line.empty()) ids.push_back(line);
      line.clear();
    } else if (c != '\r' && c != ' ') {
      line += c;
    }
  }
  if (ids.size() != 1) return std::nullopt;
  return std::vector<std::string>{"docker", "exec", "-i", ids.front()};
}

std::vector<std::string> ComposeArgvOnHost(remote::Transport& host, const AppConfig& app,
                                           const std::string& release_dir) {
  std::vector<std::string> compose;
  try {
    compose = DetectComposeCommand(host);
  } catch (const remote::UnreachableError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw TaskError(e.what());
  }
  return ComposeArgv(compose, app, release_dir);
}

}  // namespace deployctl
