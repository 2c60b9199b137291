#include "orchestrator/modules/release_mark_module.h"

#include "orchestrator/app/journal.h"
#include "orchestrator/core/redact.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {
namespace {

class ReleaseMark : public Module {
 public:
  std::string_view name() const override { return "release_mark"; }
  std::vector<ArgSpec> args() const override {
    return {{"app", true},       {"release_id", true}, {"status"},        {"reason"},
            {"schema_revision"}, {"backup"},           {"backup_skipped"}};
  }

  ModuleResult Run(ModuleContext& ctx) const override {
    return RunGuarded([&] {
      const ModuleArgs args(name(), ctx.args);
      const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
      const std::string id = args.RequiredString("release_id");
      if (!IsValidReleaseId(id)) args.FailType("release_id", "digits (UTC epoch seconds)");
      const std::optional<std::string> status =
          args.Has("status") ? std::optional(args.Choice("status", {"good", "bad", "pending"}, ""))
                             : std::nullopt;

      Journal journal = LoadJournal(ctx.host, app);
      JournalRelease* release = journal.Find(id);
      ModuleResult result;
      if (!release) {
        result.msg = "release " + id + " of " + app.name + " is not in the journal on " +
                     ctx.host.host() + ": nothing to mark";
        result.data = {{"release_id", id},
                       {"status", nullptr},
                       {"previous_status", nullptr},
                       {"found", false}};
        return result;
      }
      const std::string before_status = release->status;
      const Value before = JournalToJson(journal);
      if (status) release->status = *status;
      if (auto reason = args.String("reason")) {
        // The reason is often an error message: keep secrets out of the file.
        release->reason = reason->empty() ? std::nullopt : std::optional(Redact(*reason));
      }
      for (auto [key, field] : {std::pair{"schema_revision", &release->schema_revision},
                                {"backup", &release->backup},
                                {"backup_skipped", &release->backup_skipped}}) {
        if (auto value = args.String(key)) {
          *field = value->empty() ? std::nullopt : std::optional(*value);
        }
      }
      result.changed = JournalToJson(journal) != before;
      if (result.changed) SaveJournal(ctx.host, app, journal);
      result.msg =
          result.changed
              ? Say(ctx.check_mode, "marked ", "would mark ") + "release " + id + " of " +
                    app.name + " " + release->status +
                    (before_status == release->status ? "" : " (was " + before_status + ")")
              : "release " + id + " of " + app.name + " already is " + release->status;
      result.data = {{"release_id", id},
                     {"status", release->status},
                     {"previous_status", before_status},
                     {"found", true}};
      return result;
    });
  }
};

}  // namespace

const Module& ReleaseMarkModule() {
  static const ReleaseMark module;
  return module;
}

}  // namespace deployctl
