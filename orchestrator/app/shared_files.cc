#include "orchestrator/app/shared_files.h"

#include "remote/remote_path.h"
#include "remote/stat_follow.h"

namespace deployctl {

using remote::Command;
using remote::JoinPath;
using remote::ShellQuote;

std::string SharedPath(const std::string& entry) {
  return entry.ends_with('/') ? entry.substr(0, entry.size() - 1) : entry;
}

std::vector<std::string> CheckSharedFiles(remote::Transport& host, const AppConfig& app) {
  std::vector<std::string> missing;
  for (const std::string& entry : app.shared) {
    if (entry.ends_with('/')) continue;
    if (!remote::StatFollow(host, JoinPath(app.shared_dir(), entry)).exists) {
      missing.push_back("shared file '" + entry + "' is missing in " + app.shared_dir() + " on " +
                        host.host());
    }
  }
  return missing;
}

void LinkShared(remote::Transport& host, const AppConfig& app, const std::string& release) {
  for (const std::string& entry : app.shared) {
    const std::string path = SharedPath(entry);
    const std::string target = JoinPath(app.shared_dir(), path);
    const std::string link = JoinPath(release, path);
    std::string script;
    if (entry.ends_with('/')) script = "mkdir -p -- " + ShellQuote(target) + " && ";
    script += "rm -rf -- " + ShellQuote(link) + " && mkdir -p -- " +
              ShellQuote(remote::DirName(link)) + " && ln -s -- " + ShellQuote(target) + " " +
              ShellQuote(link);
    remote::CheckRan(host.Run(Command::Shell(script)),
                     "linking shared '" + entry + "' into " + release);
  }
}

}  // namespace deployctl
