#include "orchestrator/modules/stat_module.h"

#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"

namespace deployctl {

std::vector<ArgSpec> StatModule::args() const {
  return {{"path"}, {"dest"}, {"name"}, {"get_checksum"}};
}

ModuleResult StatModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const std::string path = args.RequiredAlias({"path", "dest", "name"});
    const bool get_checksum = args.Bool("get_checksum", true);
    const remote::RemoteFileInfo info = ctx.host.Stat(path);
    Value stat = {{"exists", info.exists}};
    if (info.exists) {
      stat["path"] = path;
      stat["isdir"] = info.is_dir;
      stat["isreg"] = info.is_regular;
      stat["islnk"] = info.is_link;
      stat["mode"] = OctalMode(info.mode);
      stat["size"] = info.size;
      stat["mtime"] = info.mtime;
      if (info.is_link) stat["lnk_target"] = info.link_target;
      if (info.is_regular && get_checksum) {
        stat["checksum"] = RemoteSha256(ctx.host, path, info.size);
      }
    }
    ModuleResult result;
    result.msg = path + (info.exists ? " exists" : " does not exist");
    result.data = {{"stat", std::move(stat)}, {"changed", false}};
    return result;
  });
}

}  // namespace deployctl
