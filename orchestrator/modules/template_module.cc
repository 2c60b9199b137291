#include "orchestrator/modules/template_module.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestrator/modules/put_file.h"
#include "orchestrator/vars/template.h"
#include "remote/remote_path.h"

namespace deployctl {
namespace {

// The template's path as the user thinks of it: relative to the project.
std::string Shown(const std::string& path, const std::string& project_dir) {
  const std::string relative = std::filesystem::path(path).lexically_relative(project_dir).string();
  return relative.empty() || relative.starts_with("..") ? path : relative;
}

}  // namespace

std::vector<ArgSpec> TemplateModule::args() const {
  return {{"src", true}, {"dest", true}, {"mode"}, {"owner"}, {"group"}, {"force"}};
}

ModuleResult TemplateModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const std::string src = args.RequiredString("src");
    const std::string dir = ctx.project_dir.empty() ? "." : ctx.project_dir;
    const std::string path = FindLocalFile(args, src, {dir + "/templates", dir});
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path))
      args.Fail("cannot read template '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();

    PutRequest request;
    try {
      request.content = RenderTemplateText(text.str(), ctx.vars);
    } catch (const TemplateError& e) {
      throw ModuleError(Shown(path, dir) + ": " + e.what());
    }
    request.dest = args.RequiredString("dest");
    request.name = remote::BaseName(src);
    request.want = OwnerArgs(args);
    request.want.mode = ModeArg(args);
    request.force = args.Bool("force", true);
    return PutFile(ctx, request);
  });
}

}  // namespace deployctl
