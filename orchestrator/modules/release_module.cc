#include "orchestrator/modules/release_module.h"

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/journal.h"
#include "orchestrator/app/lock_info.h"
#include "orchestrator/app/release_create.h"
#include "orchestrator/app/run_identity.h"
#include "orchestrator/app/shared_files.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {
namespace {

std::string SourceRoot(const ModuleArgs& args, const ModuleContext& ctx) {
  if (auto root = args.String("source_root"); root && !root->empty()) return *root;
  if (ctx.vars.contains("deploy_project_dir") && ctx.vars["deploy_project_dir"].is_string() &&
      !ctx.vars["deploy_project_dir"].get<std::string>().empty()) {
    return ctx.vars["deploy_project_dir"].get<std::string>();
  }
  return ctx.project_dir.empty() ? "." : ctx.project_dir;
}

std::string ReleaseIdArg(const ModuleArgs& args, const std::string& id) {
  if (!IsValidReleaseId(id)) args.FailType("release_id", "digits (UTC epoch seconds)");
  return id;
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
      ReleaseRequest request;
      request.id = ReleaseIdArg(args, args.RequiredString("release_id"));
      request.source_root = SourceRoot(args, ctx);
      request.user = RunField(RunIdentity(ctx.vars), "user");
      auto optional_arg = [&](const char* key) -> std::optional<std::string> {
        auto value = args.String(key);
        if (!value || value->empty()) return std::nullopt;
        return value;
      };
      request.backup = optional_arg("backup");
      request.backup_skipped = optional_arg("backup_skipped");
      request.schema_revision = optional_arg("schema_revision");

      const CreatedRelease created = CreateRelease(ctx.host, app, ctx.vars, request);
      ModuleResult result;
      result.changed = true;
      result.msg = Say(ctx.check_mode, "created ", "would create ") + "release " + created.id +
                   " of " + app.name + " (" + app.source.type +
                   (created.revision.empty() ? "" : " " + created.revision) + ")";
      result.data = {
          {"release_id", created.id}, {"path", created.path}, {"revision", created.revision}};
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
        CheckReleaseCanBeCreated(ctx.host, app, ctx.vars, ReleaseIdArg(args, *id),
                                 SourceRoot(args, ctx));
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

const Module& ReleaseModule() {
  static const Release module;
  return module;
}

const Module& SharedCheckModule() {
  static const SharedCheck module;
  return module;
}

}  // namespace deployctl
