#include "orchestrator/modules/db_backup_module.h"

#include <ctime>
#include <stdexcept>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/backup_naming.h"
#include "orchestrator/app/db_backup.h"
#include "orchestrator/app/db_restore.h"
#include "orchestrator/modules/app_arg.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {
namespace {

Value NullOr(const std::optional<std::string>& value) {
  return value ? Value(*value) : Value(nullptr);
}

// The result data, all keys always present.
ModuleResult ResultOf(BackupKind kind, const BackupOutcome& outcome) {
  using Status = BackupOutcome::Status;
  ModuleResult result;
  result.failed = outcome.status == Status::kFailed;
  result.changed = outcome.status == Status::kTaken || outcome.status == Status::kWouldTake;
  result.msg = outcome.message;
  const bool skipped = outcome.status == Status::kSkipped;
  const bool has_reason = skipped || result.failed;
  result.data = Value{{"file", NullOr(outcome.file)},
                      {"path", NullOr(outcome.path)},
                      {"size", outcome.size ? Value(*outcome.size) : Value(nullptr)},
                      {"sha256", NullOr(outcome.sha256)},
                      {"kind", std::string(BackupKindName(kind))},
                      {"skipped", skipped},
                      {"reason", has_reason ? Value(outcome.reason) : Value(nullptr)},
                      {"schema_revision", NullOr(outcome.schema_revision)}};
  return result;
}

}  // namespace

DbBackupModule::DbBackupModule(std::function<long long()> now) : now_(std::move(now)) {
  if (!now_) now_ = [] { return static_cast<long long>(std::time(nullptr)); };
}

std::vector<ArgSpec> DbBackupModule::args() const {
  return {{"app", true}, {"kind"}, {"release"}, {"name"}, {"live_release"}, {"database"}};
}

ModuleResult DbBackupModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const BackupKind kind = *ParseBackupKind(
        args.Choice("kind", {"automatic", "manual", "named", "safety"}, "automatic"));
    const auto release = args.String("release");
    const auto backup_name = args.String("name");
    const auto live_release = args.String("live_release");
    if (kind == BackupKind::kAutomatic && !release) {
      args.Fail("an automatic backup needs 'release' (the release it is taken for)");
    }
    if (release && !IsValidReleaseId(*release)) args.FailType("release", "a release id (digits)");
    if (live_release && !IsValidReleaseId(*live_release)) {
      args.FailType("live_release", "a release id (digits)");
    }
    if (kind == BackupKind::kNamed) {
      if (!backup_name) args.Fail("a named backup needs 'name'");
      if (auto problem = BackupNameProblem(*backup_name)) {
        args.Fail("backup name '" + *backup_name + "' " + *problem);
      }
    } else if (backup_name) {
      args.Fail("'name' is only for kind: named");
    }
    const auto database = args.String("database");
    if (database && kind != BackupKind::kSafety) {
      args.Fail("'database' is only for kind: safety (the database a restore replaced)");
    }
    const AppConfig app = AppFromArgs(args, ctx.vars, /*require_database=*/false);
    if (database && !ReplacedDatabaseStamp(app.database.name, *database)) {
      args.FailType("database",
                    "a database a restore replaced ('" + app.database.name + "__before_<ts>')");
    }
    BackupRequest request;
    request.kind = kind;
    request.release = release;
    request.name = backup_name;
    request.live_release = live_release;
    request.database = database;
    request.now = now_();
    request.check_mode = ctx.check_mode;
    return ResultOf(kind, TakeBackup(ctx.host, app, request));
  });
}

}  // namespace deployctl
