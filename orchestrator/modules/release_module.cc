#include "orchestrator/modules/release_module.h"

#include <unistd.h>

#include <atomic>
#include <boost/process.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "orchestrator/app/journal.h"
#include "orchestrator/app/lock_info.h"
#include "orchestrator/core/builtin_files.h"
#include "orchestrator/core/redact.h"
#include "orchestrator/core/sha256.h"
#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"
#include "orchestrator/modules/remote_path.h"
#include "orchestrator/vars/template.h"

namespace deployctl {
namespace {

namespace fs = std::filesystem;
namespace bp = boost::process;
using remote::Command;
using remote::ShellQuote;

std::string SourceRoot(const ModuleArgs& args, const ModuleContext& ctx) {
  if (auto root = args.String("source_root"); root && !root->empty()) return *root;
  if (ctx.vars.contains("deploy_project_dir") && ctx.vars["deploy_project_dir"].is_string() &&
      !ctx.vars["deploy_project_dir"].get<std::string>().empty()) {
    return ctx.vars["deploy_project_dir"].get<std::string>();
  }
  return ctx.project_dir.empty() ? "." : ctx.project_dir;
}

// How an archive source is unpacked, by its extension.
struct ArchiveKind {
  std::string extension;           // for the upload's name
  std::vector<std::string> flags;  // tar's extract flags
};

std::optional<ArchiveKind> ArchiveKindOf(const std::string& path) {
  static const std::vector<std::pair<std::vector<std::string>, ArchiveKind>> kinds = {
      {{".tar.gz", ".tgz"}, {"tar.gz", {"-xzf"}}},
      {{".tar.zst", ".tzst"}, {"tar.zst", {"--zstd", "-xf"}}},
      {{".tar.xz", ".txz"}, {"tar.xz", {"-xJf"}}},
      {{".tar.bz2", ".tbz2"}, {"tar.bz2", {"-xjf"}}},
      {{".tar"}, {"tar", {"-xf"}}},
  };
  for (const auto& [endings, kind] : kinds) {
    for (const auto& ending : endings) {
      if (path.ends_with(ending)) return kind;
    }
  }
  return std::nullopt;
}

std::optional<std::string> SourceProblem(const AppConfig& app, const std::string& source_root) {
  if (app.source.type == "git") return std::nullopt;
  const std::string path = ResolveSourcePath(app, source_root);
  const std::string named = "apps." + app.name + ".source.path '" + app.source.path + "'" +
                            (path == app.source.path ? "" : " (" + path + ")");
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return named + " does not exist on this machine";
  if (app.source.type == "dir" && !fs::is_directory(status)) {
    return named + " is not a directory (source.type is dir)";
  }
  if (app.source.type == "archive") {
    if (!fs::is_regular_file(status)) return named + " is not a file (source.type is archive)";
    if (!ArchiveKindOf(path)) {
      return named + ": archives must be .tar, .tar.gz, .tgz, .tar.zst, .tar.xz or .tar.bz2";
    }
  }
  return std::nullopt;
}

std::string SharedPath(const std::string& entry) {
  return entry.ends_with('/') ? entry.substr(0, entry.size() - 1) : entry;
}

// A template written at or under a shared path would replace the link or
// write into shared/ for every release: refused.
void CheckTemplateDests(const AppConfig& app) {
  for (const TemplateSpec& t : app.templates) {
    for (const std::string& entry : app.shared) {
      const std::string shared = SharedPath(entry);
      if (t.dest == shared || t.dest.starts_with(shared + "/")) {
        throw ModuleError("apps." + app.name + ": template dest '" + t.dest +
                          "' is also shared ('" + entry +
                          "'): render it into the release or keep it in shared/, not both");
      }
    }
  }
}

struct Rendered {
  std::string dest;  // relative to the release
  std::string text;
  unsigned mode = 0644;
};

std::vector<Rendered> RenderTemplates(const AppConfig& app, const Value& vars,
                                      const std::string& source_root, const std::string& id) {
  Value template_vars = vars;
  template_vars["app"] = app.name;
  template_vars["release_id"] = id;
  template_vars["release_path"] = app.release_dir(id);
  std::vector<Rendered> rendered;
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
      throw ModuleError("template '" + t.src + "' of app " + app.name + " not found: " + path);
    }
    std::stringstream text;
    text << in.rdbuf();
    Rendered r;
    r.dest = t.dest;
    try {
      r.text = RenderTemplateText(text.str(), template_vars);
    } catch (const TemplateError& e) {
      throw ModuleError(path + ": " + e.what());
    }
    // A file that holds a secret is readable by its owner only.
    r.mode = Redact(r.text) != r.text ? 0600 : 0644;
    rendered.push_back(std::move(r));
  }
  return rendered;
}

// Everything checked before the host changes.
struct Preflight {
  std::string source_path;
  std::vector<Rendered> templates;
};

Preflight CheckBeforeChanges(ModuleContext& ctx, const AppConfig& app, const std::string& id,
                             const std::string& source_root) {
  Preflight preflight;
  if (auto problem = SourceProblem(app, source_root)) throw ModuleError(*problem);
  preflight.source_path = ResolveSourcePath(app, source_root);
  if (app.source.type == "git" &&
      (app.source.url.starts_with('-') || app.source.ref.starts_with('-'))) {
    throw ModuleError("apps." + app.name + ".source: url and ref must not start with '-'");
  }
  CheckTemplateDests(app);
  preflight.templates = RenderTemplates(app, ctx.vars, source_root, id);
  const std::vector<std::string> missing = CheckSharedFiles(ctx.host, app);
  if (!missing.empty()) {
    std::string joined;
    for (const auto& m : missing) joined += (joined.empty() ? "" : "; ") + m;
    throw ModuleError(joined);
  }
  if (ctx.host.Stat(app.release_dir(id)).exists) {
    throw ModuleError("release " + id + " already exists on " + ctx.host.host() + " (" +
                      app.release_dir(id) + "); a new deploy uses a new id");
  }
  return preflight;
}

// A local file removed when it goes out of scope.
class LocalTemp {
 public:
  explicit LocalTemp(const std::string& suffix) {
    static std::atomic<int> counter{0};
    path_ = (fs::temp_directory_path() /
             ("deployctl-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + suffix))
                .string();
  }
  ~LocalTemp() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  LocalTemp(const LocalTemp&) = delete;
  LocalTemp& operator=(const LocalTemp&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// tar of the local directory `dir` into `out` (controller side, no shell).
void MakeTarball(const std::string& dir, const std::string& out) {
  const LocalTemp errors(".err");
  int rc = -1;
  try {
    rc = bp::system(bp::search_path("tar"), "--sort=name", "-C", dir, "-cf", out, ".",
                    bp::std_in<bp::null, bp::std_out> bp::null,
                    bp::std_err > boost::filesystem::path(errors.path()));
  } catch (const std::exception& e) {
    throw ModuleError("cannot run tar on this machine: " + std::string(e.what()));
  }
  if (rc != 0) {
    std::ifstream in(errors.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string err = text.str();
    while (!err.empty() && err.back() == '\n') err.pop_back();
    throw ModuleError("packing " + dir + " with tar failed (rc=" + std::to_string(rc) + ")" +
                      (err.empty() ? "" : ": " + err));
  }
}

std::string ShortSha256OfFile(const std::string& path) {
  try {
    return Sha256HexOfFile(path).substr(0, 12);
  } catch (const std::exception& e) {
    throw ModuleError(e.what());
  }
}

void Upload(ModuleContext& ctx, const std::string& local, const std::string& remote_path) {
  try {
    ctx.host.UploadFile(local, remote_path, 0600);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw ModuleError("cannot upload " + local + " to " + remote_path + ": " + e.what());
  }
}

// Unpacks `upload` into `release`, then removes it (also when tar failed).
void Extract(ModuleContext& ctx, const std::string& upload, const std::string& release,
             const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {"tar", "--no-same-owner"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {upload, "-C", release});
  const remote::CommandResult unpacked = ctx.host.Run(Command::Argv(argv));
  ctx.host.Run(Command::Argv({"rm", "-f", "--", upload}));
  CheckRan(unpacked, "unpacking " + upload + " into " + release);
}

void LinkShared(ModuleContext& ctx, const AppConfig& app, const std::string& release) {
  for (const std::string& entry : app.shared) {
    const std::string path = SharedPath(entry);
    const std::string target = JoinPath(app.shared_dir(), path);
    const std::string link = JoinPath(release, path);
    std::string script;
    if (entry.ends_with('/')) script = "mkdir -p -- " + ShellQuote(target) + " && ";
    script += "rm -rf -- " + ShellQuote(link) + " && mkdir -p -- " + ShellQuote(DirName(link)) +
              " && ln -s -- " + ShellQuote(target) + " " + ShellQuote(link);
    CheckRan(ctx.host.Run(Command::Shell(script)),
             "linking shared '" + entry + "' into " + release);
  }
}

void WriteTemplates(ModuleContext& ctx, const std::string& release,
                    const std::vector<Rendered>& templates) {
  for (const Rendered& t : templates) {
    const std::string dest = JoinPath(release, t.dest);
    if (DirName(dest) != release) {
      CheckRan(ctx.host.Run(Command::Argv({"mkdir", "-p", "--", DirName(dest)})),
               "creating " + DirName(dest));
    }
    ctx.host.WriteFile(dest, t.text, t.mode);
  }
}

std::string GitRevision(ModuleContext& ctx, const std::string& release) {
  const remote::CommandResult head =
      ctx.host.Run(Command::Argv({"git", "-C", release, "rev-parse", "HEAD"}));
  CheckRan(head, "git rev-parse HEAD in " + release);
  std::string revision = head.out;
  while (!revision.empty() && (revision.back() == '\n' || revision.back() == '\r')) {
    revision.pop_back();
  }
  return revision;
}

Value SourceJson(const AppConfig& app, const std::string& source_path) {
  if (app.source.type == "git") {
    return Value{{"type", "git"}, {"url", app.source.url}, {"ref", app.source.ref}};
  }
  return Value{{"type", app.source.type}, {"path", source_path}};
}

class Release : public Module {
 public:
  std::string_view name() const override { return "release"; }
  std::vector<ArgSpec> args() const override {
    return {{"app", true}, {"release_id", true}, {"source_root"},
            {"backup"},    {"backup_skipped"},   {"schema_revision"}};
  }

  ModuleResult Run(ModuleContext& ctx) const override {
    return RunGuarded([&] {
      const ModuleArgs args(name(), ctx.args);
      const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
      const std::string id = args.RequiredString("release_id");
      if (!IsValidReleaseId(id)) args.FailType("release_id", "digits (UTC epoch seconds)");
      const std::string source_root = SourceRoot(args, ctx);
      const Preflight preflight = CheckBeforeChanges(ctx, app, id, source_root);
      Journal journal = LoadJournal(ctx.host, app);  // unreadable: stop before changing anything
      const std::string release = app.release_dir(id);

      // The code, packed on this machine first (a failure changes nothing).
      std::optional<LocalTemp> tarball;
      std::string revision;
      if (app.source.type == "dir") {
        tarball.emplace(".tar");
        MakeTarball(preflight.source_path, tarball->path());
        revision = ShortSha256OfFile(tarball->path());
      } else if (app.source.type == "archive") {
        revision = ShortSha256OfFile(preflight.source_path);
      }

      CheckRan(
          ctx.host.Run(Command::Argv({"mkdir", "-p", "--", app.releases_dir(), app.meta_dir()})),
          "creating " + app.releases_dir());
      CheckRan(ctx.host.Run(Command::Argv({"mkdir", "--", release})), "creating " + release);

      // Journaled at once, so a release that fails half-way is known (and pruned).
      const Value run = RunIdentity(ctx.vars);
      JournalRelease entry;
      entry.id = id;
      entry.revision = revision;
      entry.user =
          run.contains("user") && run["user"].is_string() ? run["user"].get<std::string>() : "";
      entry.created = static_cast<long long>(std::time(nullptr));
      entry.status = kPending;
      auto optional_arg = [&](const char* key) -> std::optional<std::string> {
        auto value = args.String(key);
        if (!value || value->empty()) return std::nullopt;
        return value;
      };
      entry.backup = optional_arg("backup");
      entry.backup_skipped = optional_arg("backup_skipped");
      entry.schema_revision = optional_arg("schema_revision");
      journal.Put(entry);
      SaveJournal(ctx.host, app, journal);

      if (app.source.type == "dir") {
        const std::string upload = app.meta_dir() + "/upload-" + id + ".tar";
        Upload(ctx, tarball->path(), upload);
        Extract(ctx, upload, release, {"-xf"});
      } else if (app.source.type == "archive") {
        const ArchiveKind kind = *ArchiveKindOf(preflight.source_path);
        const std::string upload = app.meta_dir() + "/upload-" + id + "." + kind.extension;
        Upload(ctx, preflight.source_path, upload);
        Extract(ctx, upload, release, kind.flags);
      } else {
        CheckRan(
            ctx.host.Run(Command::Argv({"git", "clone", "--quiet", "--", app.source.url, release})),
            "git clone " + app.source.url);
        CheckRan(ctx.host.Run(
                     Command::Argv({"git", "-C", release, "checkout", "--quiet", app.source.ref})),
                 "git checkout " + app.source.ref);
        revision = GitRevision(ctx, release);
      }

      LinkShared(ctx, app, release);
      WriteTemplates(ctx, release, preflight.templates);
      const Value metadata = {{"id", id},
                              {"app", app.name},
                              {"revision", revision},
                              {"user", entry.user},
                              {"created", entry.created},
                              {"source", SourceJson(app, preflight.source_path)}};
      ctx.host.WriteFile(release + "/.deployctl-release.json", metadata.dump(2) + "\n", 0644);
      if (revision != entry.revision) {
        journal.Find(id)->revision = revision;
        SaveJournal(ctx.host, app, journal);
      }

      ModuleResult result;
      result.changed = true;
      result.msg = Say(ctx.check_mode, "created ", "would create ") + "release " + id + " of " +
                   app.name + " (" + app.source.type + (revision.empty() ? "" : " " + revision) +
                   ")";
      result.data = {{"release_id", id}, {"path", release}, {"revision", revision}};
      return result;
    });
  }
};

class SharedCheck : public Module {
 public:
  std::string_view name() const override { return "shared_check"; }
  std::vector<ArgSpec> args() const override {
    return {{"app", true}, {"release_id"}, {"source_root"}};
  }

  ModuleResult Run(ModuleContext& ctx) const override {
    return RunGuarded([&] {
      const ModuleArgs args(name(), ctx.args);
      const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
      ModuleResult result;
      if (auto id = args.String("release_id"); id && !id->empty()) {
        if (!IsValidReleaseId(*id)) args.FailType("release_id", "digits (UTC epoch seconds)");
        CheckBeforeChanges(ctx, app, *id, SourceRoot(args, ctx));
        LoadJournal(ctx.host, app);
        result.msg = "release " + *id + " of " + app.name + " can be created on " + ctx.host.host();
        result.data = {{"missing", Value::array()}};
        return result;
      }
      const std::vector<std::string> missing = CheckSharedFiles(ctx.host, app);
      if (!missing.empty()) {
        std::string joined;
        for (const auto& m : missing) joined += (joined.empty() ? "" : "; ") + m;
        result = Failure(joined);
      } else {
        result.msg = "the shared files of " + app.name + " are in place on " + ctx.host.host();
      }
      result.data = {{"missing", missing}};
      return result;
    });
  }
};

}  // namespace

std::string ResolveSourcePath(const AppConfig& app, const std::string& source_root) {
  if (app.source.path.empty() || app.source.path.starts_with('/')) return app.source.path;
  return (fs::path(source_root.empty() ? "." : source_root) / app.source.path)
      .lexically_normal()
      .string();
}

void CheckSourceExists(const AppConfig& app, const std::string& source_root) {
  if (auto problem = SourceProblem(app, source_root)) throw UsageError(*problem);
}

std::vector<std::string> CheckSharedFiles(remote::Transport& host, const AppConfig& app) {
  std::vector<std::string> missing;
  for (const std::string& entry : app.shared) {
    if (entry.ends_with('/')) continue;
    if (!StatFollow(host, JoinPath(app.shared_dir(), entry)).exists) {
      missing.push_back("shared file '" + entry + "' is missing in " + app.shared_dir() + " on " +
                        host.host());
    }
  }
  return missing;
}

const Module& ReleaseModule() {
  static const Release module;
  return module;
}

const Module& SharedCheckModule() {
  static const SharedCheck module;
  return module;
}

}  // namespace deployctl
