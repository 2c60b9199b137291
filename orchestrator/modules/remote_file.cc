#include "orchestrator/modules/remote_file.h"

#include <regex>
#include <sstream>

#include "orchestrator/core/sha256.h"
#include "remote/remote_path.h"

namespace deployctl {

using remote::Command;
using remote::CommandResult;
using remote::RemoteFileInfo;

std::string RemoteSha256(remote::Transport& host, const std::string& path,
                         unsigned long long size) {
  if (size <= kReadToChecksumLimit) {
    auto content = host.ReadFile(path);
    if (!content) throw ModuleError("cannot read '" + path + "' to checksum it");
    return Sha256Hex(*content);
  }
  Command probe = Command::Argv({"sha256sum", "--", path});
  probe.read_only = true;
  const CommandResult result = host.Run(probe);
  CheckRan(result, "sha256sum '" + path + "'");
  static const std::regex kDigest("^([0-9a-f]{64})\\s");
  std::smatch m;
  if (!std::regex_search(result.out, m, kDigest)) {
    throw ModuleError("unexpected sha256sum output for '" + path + "': " + result.out);
  }
  return m[1].str();
}

Attributes OwnerArgs(const ModuleArgs& args) {
  Attributes attributes;
  attributes.owner = args.String("owner");
  attributes.group = args.String("group");
  return attributes;
}

namespace {

// Names and ids, so that owner: 1000 and owner: deploy both compare.
struct Ownership {
  std::string user, group, uid, gid;
};

Ownership ReadOwnership(remote::Transport& host, const std::string& path) {
  Command probe = Command::Argv({"stat", "-L", "-c", "%U %G %u %g", "--", path});
  probe.read_only = true;
  const CommandResult result = host.Run(probe);
  CheckRan(result, "stat '" + path + "'");
  Ownership o;
  std::istringstream(result.out) >> o.user >> o.group >> o.uid >> o.gid;
  return o;
}

}  // namespace

std::vector<std::string> ApplyAttributes(ModuleContext& ctx, const std::string& path,
                                         const RemoteFileInfo& current, const Attributes& want) {
  std::vector<std::string> changes;
  if (want.mode) {
    const unsigned wanted = want.mode->Apply(current.mode, current.is_dir);
    // A path created by this run gets its mode set without asking: the
    // remote umask decided what it has now.
    if (!current.exists || wanted != (current.mode & 07777)) {
      CheckRan(ctx.host.Run(Command::Argv({"chmod", OctalMode(wanted), "--", path})),
               "chmod " + OctalMode(wanted) + " '" + path + "'");
      changes.push_back(current.exists
                            ? "mode " + OctalMode(current.mode) + " -> " + OctalMode(wanted)
                            : "mode " + OctalMode(wanted));
    }
  }
  if (!want.owner && !want.group) return changes;
  if (current.exists) {
    const Ownership have = ReadOwnership(ctx.host, path);
    const bool owner_ok = !want.owner || *want.owner == have.user || *want.owner == have.uid;
    const bool group_ok = !want.group || *want.group == have.group || *want.group == have.gid;
    if (!owner_ok) changes.push_back("owner " + have.user + " -> " + *want.owner);
    if (!group_ok) changes.push_back("group " + have.group + " -> " + *want.group);
    if (owner_ok && group_ok) return changes;
  } else {
    // Created by this run (or would be, in --check): nothing to ask.
    if (want.owner) changes.push_back("owner " + *want.owner);
    if (want.group) changes.push_back("group " + *want.group);
  }
  const std::string spec = want.owner.value_or("") + (want.group ? ":" + *want.group : "");
  CheckRan(ctx.host.Run(Command::Argv({"chown", spec, "--", path})),
           "chown " + spec + " '" + path + "'");
  return changes;
}

std::string JoinChanges(const std::vector<std::string>& changes) {
  std::string joined;
  for (const auto& change : changes) joined += (joined.empty() ? "" : ", ") + change;
  return joined;
}

}  // namespace deployctl
