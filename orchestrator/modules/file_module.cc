#include "orchestrator/modules/file_module.h"

#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"
#include "remote/remote_path.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::RemoteFileInfo;

struct Request {
  const ModuleArgs& args;
  std::string path;
  Attributes want;
};

void RunChecked(ModuleContext& ctx, const std::vector<std::string>& argv, const std::string& what) {
  CheckRan(ctx.host.Run(Command::Argv(argv)), what);
}

// "/x: mode 0644 -> 0600" when attributes changed, else `unchanged`.
ModuleResult AttributesResult(ModuleContext& ctx, const Request& r, const RemoteFileInfo& info,
                              std::string unchanged) {
  ModuleResult result;
  const auto changes = ApplyAttributes(ctx, r.path, info, r.want);
  result.changed = !changes.empty();
  result.msg = result.changed ? Say(ctx.check_mode, "changed ", "would change ") + r.path + ": " +
                                    JoinChanges(changes)
                              : std::move(unchanged);
  return result;
}

ModuleResult Absent(ModuleContext& ctx, const Request& r) {
  if (r.path == "/" || r.path.empty()) r.args.Fail("refusing to remove '" + r.path + "'");
  ModuleResult result;
  if (!ctx.host.Stat(r.path).exists) {
    result.msg = r.path + " is already absent";
    return result;
  }
  RunChecked(ctx, {"rm", "-rf", "--", r.path}, "rm -rf '" + r.path + "'");
  result.changed = true;
  result.msg = Say(ctx.check_mode, "removed ", "would remove ") + r.path;
  return result;
}

ModuleResult Directory(ModuleContext& ctx, const Request& r) {
  RemoteFileInfo info = remote::StatFollow(ctx.host, r.path);
  if (info.exists && !info.is_dir)
    throw ModuleError("'" + r.path + "' exists and is not a directory");
  if (info.exists) return AttributesResult(ctx, r, info, r.path + " is a directory");
  RunChecked(ctx, {"mkdir", "-p", "--", r.path}, "mkdir -p '" + r.path + "'");
  info.is_dir = true;
  info.mode = 0755;
  const auto changes = ApplyAttributes(ctx, r.path, info, r.want);
  ModuleResult result;
  result.changed = true;
  result.msg = Say(ctx.check_mode, "created directory ", "would create directory ") + r.path +
               (changes.empty() ? "" : " (" + JoinChanges(changes) + ")");
  return result;
}

ModuleResult Link(ModuleContext& ctx, const Request& r) {
  const std::string src = r.args.RequiredString("src");
  const bool force = r.args.Bool("force", false);
  if (r.want.mode || r.want.owner || r.want.group) {
    r.args.Fail("'mode', 'owner' and 'group' are not used with state=link");
  }
  const RemoteFileInfo info = ctx.host.Stat(r.path);
  ModuleResult result;
  if (info.is_link && info.link_target == src) {
    result.msg = r.path + " -> " + src + " already";
    return result;
  }
  if (info.is_dir)
    throw ModuleError("'" + r.path + "' is a directory; not replacing it with a link");
  if (info.exists && !info.is_link && !force) {
    throw ModuleError("'" + r.path + "' exists and is not a link; set force: true to replace it");
  }
  // A typo in src would leave a dangling link. In --check the target may be
  // one that an earlier (unexecuted) task creates, so do not insist there.
  if (!force && !ctx.check_mode &&
      !remote::StatFollow(ctx.host, remote::JoinPath(remote::DirName(r.path), src)).exists) {
    throw ModuleError("link target '" + src + "' does not exist; set force: true to link anyway");
  }
  if (!info.exists) {
    RunChecked(ctx, {"ln", "-sfn", "--", src, r.path}, "ln -s '" + src + "' '" + r.path + "'");
  } else {
    // Replace by rename so that readers never see the path missing.
    const std::string tmp = remote::JoinPath(remote::DirName(r.path),
                                             "." + remote::BaseName(r.path) + ".deployctl-tmp");
    RunChecked(ctx, {"ln", "-sfn", "--", src, tmp}, "ln -s '" + src + "' '" + tmp + "'");
    const auto moved = ctx.host.Run(Command::Argv({"mv", "-fT", "--", tmp, r.path}));
    if (!moved.ok()) ctx.host.Run(Command::Argv({"rm", "-f", "--", tmp}));
    CheckRan(moved, "mv '" + tmp + "' '" + r.path + "'");
  }
  result.changed = true;
  result.msg = Say(ctx.check_mode, "linked ", "would link ") + r.path + " -> " + src +
               (info.is_link ? " (was " + info.link_target + ")" : "");
  return result;
}

ModuleResult Touch(ModuleContext& ctx, const Request& r) {
  RemoteFileInfo info = remote::StatFollow(ctx.host, r.path);
  RunChecked(ctx, {"touch", "--", r.path}, "touch '" + r.path + "'");
  if (!info.exists) info.mode = 0644;
  const auto changes = ApplyAttributes(ctx, r.path, info, r.want);
  ModuleResult result;
  result.changed = true;
  result.msg = Say(ctx.check_mode, "touched ", "would touch ") + r.path +
               (changes.empty() ? "" : " (" + JoinChanges(changes) + ")");
  return result;
}

// state=file, or no state: only attributes of something that exists.
ModuleResult Existing(ModuleContext& ctx, const Request& r, bool must_be_file) {
  const RemoteFileInfo info = remote::StatFollow(ctx.host, r.path);
  if (!info.exists) {
    throw ModuleError("'" + r.path + "' does not exist" +
                      (must_be_file ? " (state=file does not create files; use state=touch "
                                      "or copy)"
                                    : ""));
  }
  if (must_be_file && info.is_dir) throw ModuleError("'" + r.path + "' is a directory, not a file");
  return AttributesResult(ctx, r, info, r.path + " exists");
}

}  // namespace

std::vector<ArgSpec> FileModule::args() const {
  return {{"path"}, {"dest"},  {"name"},  {"state"}, {"mode"},
          {"src"},  {"force"}, {"owner"}, {"group"}};
}

ModuleResult FileModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    Request r{args, args.RequiredAlias({"path", "dest", "name"}), OwnerArgs(args)};
    r.want.mode = ModeArg(args);
    const std::string state =
        args.Choice("state", {"file", "directory", "link", "absent", "touch"}, "");
    if (args.Has("src") && state != "link") args.Fail("argument 'src' is only for state=link");
    ModuleResult result;
    if (state == "absent") {
      result = Absent(ctx, r);
    } else if (state == "directory") {
      result = Directory(ctx, r);
    } else if (state == "link") {
      result = Link(ctx, r);
    } else if (state == "touch") {
      result = Touch(ctx, r);
    } else {
      result = Existing(ctx, r, state == "file");
    }
    result.data = {
        {"path", r.path}, {"state", state.empty() ? "file" : state}, {"changed", result.changed}};
    return result;
  });
}

}  // namespace deployctl
