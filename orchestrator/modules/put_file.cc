#include "orchestrator/modules/put_file.h"

#include <filesystem>
#include <system_error>

#include "orchestrator/core/sha256.h"
#include "remote/remote_path.h"

namespace deployctl {
namespace {

namespace fs = std::filesystem;
using remote::RemoteFileInfo;

struct Local {
  std::string checksum;
  unsigned long long size = 0;
};

Local DescribeLocal(const PutRequest& request) {
  if (request.content) return {Sha256Hex(*request.content), request.content->size()};
  try {
    return {Sha256HexOfFile(request.local_path), fs::file_size(request.local_path)};
  } catch (const std::exception& e) {
    throw ModuleError(e.what());
  }
}

// dest itself, or dest/<name> when dest names a directory.
std::string ResolveDest(ModuleContext& ctx, const PutRequest& request) {
  const bool is_dir =
      request.dest.ends_with('/') || remote::StatFollow(ctx.host, request.dest).is_dir;
  if (!is_dir) return request.dest;
  if (request.name.empty()) {
    throw ModuleError("dest '" + request.dest + "' is a directory; give a file path");
  }
  return remote::JoinPath(request.dest, request.name);
}

void Write(ModuleContext& ctx, const PutRequest& request, const std::string& dest, unsigned mode) {
  try {
    if (request.content) {
      ctx.host.WriteFile(dest, *request.content, mode);
    } else {
      ctx.host.UploadFile(request.local_path, dest, mode);
    }
  } catch (const Error&) {
    throw;  // the transport's own message names host and path
  } catch (const std::exception& e) {
    throw ModuleError("cannot write '" + dest + "': " + e.what());
  }
}

}  // namespace

ModuleResult PutFile(ModuleContext& ctx, const PutRequest& request) {
  const Local local = DescribeLocal(request);
  const std::string dest = ResolveDest(ctx, request);
  // lstat: a link at dest is replaced by the file, not written through.
  RemoteFileInfo info = ctx.host.Stat(dest);
  if (info.is_dir) throw ModuleError("dest '" + dest + "' is a directory");
  if (!info.exists && !remote::StatFollow(ctx.host, remote::DirName(dest)).is_dir) {
    throw ModuleError("destination directory '" + remote::DirName(dest) + "' does not exist");
  }
  if (info.exists && !request.force) {
    ModuleResult result;
    result.msg = dest + " exists; force: false leaves it as it is";
    result.data = {
        {"dest", dest}, {"checksum", local.checksum}, {"size", local.size}, {"changed", false}};
    return result;
  }
  const bool same = info.is_regular && info.size == local.size &&
                    RemoteSha256(ctx.host, dest, info.size) == local.checksum;

  ModuleResult result;
  std::vector<std::string> changes;
  unsigned mode = info.is_regular ? info.mode & 07777 : 0644;
  if (request.want.mode) mode = request.want.mode->Apply(mode, false);
  if (same) {
    changes = ApplyAttributes(ctx, dest, info, request.want);
    result.changed = !changes.empty();
    result.msg = result.changed ? Say(ctx.check_mode, "changed ", "would change ") + dest + ": " +
                                      JoinChanges(changes)
                                : dest + " is up to date";
  } else {
    Write(ctx, request, dest, mode);
    // The write set the mode; ownership is left to chown.
    Attributes owner = request.want;
    owner.mode.reset();
    changes = ApplyAttributes(ctx, dest, RemoteFileInfo{}, owner);
    result.changed = true;
    result.msg = (info.is_regular ? Say(ctx.check_mode, "updated ", "would update ")
                                  : Say(ctx.check_mode, "created ", "would create ")) +
                 dest + (changes.empty() ? "" : " (" + JoinChanges(changes) + ")");
  }
  result.data = {{"dest", dest},
                 {"checksum", local.checksum},
                 {"size", local.size},
                 {"mode", OctalMode(mode)},
                 {"changed", result.changed}};
  return result;
}

std::string FindLocalFile(const ModuleArgs& args, const std::string& src,
                          const std::vector<std::string>& dirs) {
  if (src.starts_with('/')) {
    if (!fs::exists(src)) args.Fail("src '" + src + "' does not exist");
    return src;
  }
  std::string tried;
  for (const std::string& dir : dirs) {
    const fs::path candidate = fs::path(dir) / src;
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate.lexically_normal().string();
    tried += (tried.empty() ? "" : ", ") + candidate.lexically_normal().string();
  }
  args.Fail("src '" + src + "' not found (looked in " + tried + ")");
}

}  // namespace deployctl
