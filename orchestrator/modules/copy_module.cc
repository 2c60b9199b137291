#include "orchestrator/modules/copy_module.h"

#include <filesystem>

#include "orchestrator/modules/put_file.h"
#include "remote/remote_path.h"

namespace deployctl {

std::vector<ArgSpec> CopyModule::args() const {
  return {{"src"}, {"content"}, {"dest", true}, {"mode"}, {"owner"}, {"group"}, {"force"}};
}

ModuleResult CopyModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    PutRequest request;
    request.dest = args.RequiredString("dest");
    request.want = OwnerArgs(args);
    request.want.mode = ModeArg(args);
    request.force = args.Bool("force", true);
    if (args.Has("src") == args.Has("content"))
      args.Fail("give exactly one of 'src' and 'content'");
    if (args.Has("content")) {
      const Value& content = args.Get("content");
      // As in Ansible, a mapping or list is written as JSON.
      request.content = content.is_string() ? content.get<std::string>() : content.dump();
    } else {
      const std::string src = args.RequiredString("src");
      const std::string dir = ctx.project_dir.empty() ? "." : ctx.project_dir;
      request.local_path = FindLocalFile(args, src, {dir + "/files", dir});
      if (std::filesystem::is_directory(request.local_path)) {
        args.Fail("src '" + src + "' is a directory; copying directories is not supported");
      }
      request.name = remote::BaseName(src);
    }
    return PutFile(ctx, request);
  });
}

}  // namespace deployctl
