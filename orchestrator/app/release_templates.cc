#include "orchestrator/app/release_templates.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestrator/app/shared_files.h"
#include "orchestrator/core/builtin_files.h"
#include "orchestrator/core/error.h"
#include "orchestrator/core/redact.h"
#include "orchestrator/vars/template.h"
#include "remote/remote_path.h"

namespace deployctl {
namespace {

namespace fs = std::filesystem;

// A template written at or under a shared path would replace the link or
// write into shared/ for every release: refused.
void CheckTemplateDests(const AppConfig& app) {
  for (const TemplateSpec& t : app.templates) {
    for (const std::string& entry : app.shared) {
      const std::string shared = SharedPath(entry);
      if (t.dest == shared || t.dest.starts_with(shared + "/")) {
        throw TaskError("apps." + app.name + ": template dest '" + t.dest + "' is also shared ('" +
                        entry + "'): render it into the release or keep it in shared/, not both");
      }
    }
  }
}

}  // namespace

std::vector<RenderedFile> RenderReleaseTemplates(const AppConfig& app, const Value& vars,
                                                 const std::string& source_root,
                                                 const std::string& release_id) {
  CheckTemplateDests(app);
  Value template_vars = vars;
  template_vars["app"] = app.name;
  template_vars["release_id"] = release_id;
  template_vars["release_path"] = app.release_dir(release_id);
  std::vector<RenderedFile> rendered;
  for (const TemplateSpec& t : app.templates) {
    // The project's templates/ first, then deployctl's built-in ones.
    std::string path =
        t.src.starts_with('/') ? t.src : (fs::path(source_root) / "templates" / t.src).string();
    if (!t.src.starts_with('/') && !fs::exists(path)) {
      if (const std::string builtin = BuiltinFile("templates", t.src); fs::exists(builtin)) {
        path = builtin;
      }
    }
    std::ifstream in(path, std::ios::binary);
    if (!in || fs::is_directory(path)) {
      throw TaskError("template '" + t.src + "' of app " + app.name + " not found: " + path);
    }
    std::stringstream text;
    text << in.rdbuf();
    RenderedFile r;
    r.dest = t.dest;
    try {
      r.text = RenderTemplateText(text.str(), template_vars);
    } catch (const TemplateError& e) {
      throw TaskError(path + ": " + e.what());
    }
    // A file that holds a secret is readable by its owner only.
    r.mode = Redact(r.text) != r.text ? 0600 : 0644;
    rendered.push_back(std::move(r));
  }
  return rendered;
}

void WriteRenderedFiles(remote::Transport& host, const std::string& release,
                        const std::vector<RenderedFile>& files) {
  for (const RenderedFile& t : files) {
    const std::string dest = remote::JoinPath(release, t.dest);
    const std::string dir = remote::DirName(dest);
    if (dir != release) {
      remote::CheckRan(host.Run(remote::Command::Argv({"mkdir", "-p", "--", dir})),
                       "creating " + dir);
    }
    host.WriteFile(dest, t.text, t.mode);
  }
}

}  // namespace deployctl
