#include "remote/stat_follow.h"

#include "remote/remote_path.h"

namespace deployctl::remote {

RemoteFileInfo StatFollow(remote::Transport& host, const std::string& path) {
  std::string current = path;
  for (int depth = 0; depth < 8; ++depth) {
    RemoteFileInfo info = host.Stat(current);
    if (!info.is_link) return info;
    current = JoinPath(DirName(current), info.link_target);
  }
  return RemoteFileInfo{};  // a loop of links: treat as missing, as open(2) fails
}

}  // namespace deployctl::remote
