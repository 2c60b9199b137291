#include "orchestrator/modules/release_prune_module.h"

#include <ctime>
#include <set>
#include <sstream>

#include "orchestrator/app/journal.h"
#include "orchestrator/app/retention.h"
#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"

namespace deployctl {
namespace {

using remote::Command;

constexpr std::string_view kManifestSuffix = ".manifest.json";

// The backups in <root>/backups, classified (manifests read where present).
std::vector<BackupFile> ListBackups(remote::Transport& host, const AppConfig& app) {
  if (!host.Stat(app.backups_dir()).is_dir) return {};
  Command ls = Command::Argv({"ls", "-1A", "--", app.backups_dir()});
  ls.read_only = true;
  const remote::CommandResult listed = host.Run(ls);
  CheckRan(listed, "listing " + app.backups_dir());
  std::set<std::string> names;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) names.insert(line);
  }
  std::vector<BackupFile> backups;
  for (const std::string& name : names) {
    std::optional<Value> manifest;
    if (names.contains(name + std::string(kManifestSuffix))) {
      if (auto text =
              host.ReadFile(app.backups_dir() + "/" + name + std::string(kManifestSuffix))) {
        Value json = Value::parse(*text, nullptr, false);
        if (!json.is_discarded()) manifest = std::move(json);
      }
    }
    if (auto backup = ClassifyBackup(name, manifest)) backups.push_back(*backup);
  }
  return backups;
}

class ReleasePrune : public Module {
 public:
  std::string_view name() const override { return "release_prune"; }
  std::vector<ArgSpec> args() const override { return {{"app", true}}; }

  ModuleResult Run(ModuleContext& ctx) const override {
    return RunGuarded([&] {
      const ModuleArgs args(name(), ctx.args);
      const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
      Journal journal = LoadJournal(ctx.host, app);
      const std::optional<std::string> current = ReadCurrentRelease(ctx.host, app);

      PruneLimits limits;
      limits.keep_releases = app.keep_releases;
      limits.prune_backups = app.database.enabled;
      limits.keep_backups = app.database.keep_backups;
      limits.keep_days = app.database.keep_days;
      limits.now = static_cast<long long>(std::time(nullptr));
      limits.keep_manual_backups = app.database.keep_manual_backups;
      limits.keep_safety_backups = app.database.keep_safety_backups;
      const std::vector<BackupFile> backups =
          limits.prune_backups ? ListBackups(ctx.host, app) : std::vector<BackupFile>{};
      const PrunePlan plan = PlanPrune(journal, current, backups, limits);

      std::vector<std::string> errors;
      auto failed = [&](const std::string& path, std::string err) {
        while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
        errors.push_back("removing " + path + ": " + err);
      };
      Value removed_releases = Value::array();
      for (const std::string& id : plan.remove_releases) {
        if (current && id == *current) continue;  // PlanPrune never asks; never, anyway
        const remote::CommandResult rm =
            ctx.host.Run(Command::Argv({"rm", "-rf", "--", app.release_dir(id)}));
        if (!rm.ok()) {
          failed(app.release_dir(id), rm.err);
          continue;
        }
        journal.Drop(id);
        removed_releases.push_back(id);
      }
      if (!removed_releases.empty()) SaveJournal(ctx.host, app, journal);

      Value removed_backups = Value::array();
      for (const std::string& file : plan.remove_backups) {
        const std::string path = app.backups_dir() + "/" + file;
        const remote::CommandResult rm = ctx.host.Run(
            Command::Argv({"rm", "-f", "--", path, path + std::string(kManifestSuffix)}));
        if (!rm.ok()) {
          failed(path, rm.err);
          continue;
        }
        removed_backups.push_back(file);
      }

      ModuleResult result;
      result.changed = !removed_releases.empty() || !removed_backups.empty();
      result.data = {{"removed_releases", removed_releases},
                     {"removed_backups", removed_backups},
                     {"kept_releases", plan.keep_releases}};
      if (!errors.empty()) {
        std::string joined;
        for (const auto& e : errors) joined += (joined.empty() ? "" : "; ") + e;
        result.failed = true;
        result.msg = "pruning " + app.name + " on " + ctx.host.host() + ": " + joined;
        return result;
      }
      result.msg = result.changed
                       ? Say(ctx.check_mode, "removed ", "would remove ") +
                             std::to_string(removed_releases.size()) + " release(s) and " +
                             std::to_string(removed_backups.size()) + " backup(s) of " + app.name
                       : "nothing to prune for " + app.name;
      return result;
    });
  }
};

}  // namespace

const Module& ReleasePruneModule() {
  static const ReleasePrune module;
  return module;
}

}  // namespace deployctl
