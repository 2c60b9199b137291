#include "orchestrator/modules/deploy_lock_module.h"

#include "orchestrator/app/deploy_lock.h"
#include "orchestrator/app/lock_info.h"
#include "orchestrator/app/run_identity.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {
namespace {

Value StateData(const LockState& state) {
  return Value{{"locked", state.locked}, {"holder", HolderToJson(state)}};
}

class DeployLock : public Module {
 public:
  std::string_view name() const override { return "deploy_lock"; }
  std::vector<ArgSpec> args() const override {
    return {{"app", true}, {"state"}, {"wait"}, {"force"}, {"command"}};
  }

  ModuleResult Run(ModuleContext& ctx) const override {
    return RunGuarded([&] {
      const ModuleArgs args(name(), ctx.args);
      const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
      const std::string state = args.Choice("state", {"locked", "unlocked", "query"}, "locked");
      const LockInfo me =
          LockInfoFromRun(RunIdentity(ctx.vars), args.String("command").value_or(""));
      if (state == "query") {
        const LockState now = ReadLockState(ctx.host, app);
        ModuleResult result;
        result.msg = now.locked ? "locked by " + DescribeHolder(now) : "not locked";
        result.data = StateData(now);
        return result;
      }
      if (state == "unlocked") return Unlock(ctx, app, me, args.Bool("force", false));
      const long long wait = args.Int("wait", 0);
      if (wait < 0) args.FailType("wait", "a number of seconds (0 or more)");
      return Lock(ctx, app, me, wait);
    });
  }

 private:
  static ModuleResult Lock(ModuleContext& ctx, const AppConfig& app, const LockInfo& me,
                           long long wait) {
    using Status = LockOutcome::Status;
    const LockOutcome outcome = TakeLock(ctx.host, app, me, wait, ctx.check_mode);
    ModuleResult result;
    result.msg = outcome.message;
    result.data = StateData(outcome.state);
    switch (outcome.status) {
      case Status::kTaken:
        result.changed = true;
        result.data = {{"locked", true}, {"holder", LockInfoToJson(me)}};
        break;
      case Status::kWouldTake:
        result.changed = true;
        break;
      case Status::kAlreadyMine:
      case Status::kWouldWait:
        break;
      case Status::kHeld:
        result.failed = true;
        result.refused = true;
        break;
    }
    return result;
  }

  static ModuleResult Unlock(ModuleContext& ctx, const AppConfig& app, const LockInfo& me,
                             bool force) {
    const UnlockOutcome outcome = ReleaseLock(ctx.host, app, me, force, ctx.check_mode);
    ModuleResult result;
    result.msg = outcome.message;
    if (outcome.status == UnlockOutcome::Status::kReleased) {
      result.changed = true;
      result.data = {{"locked", false},
                     {"holder", nullptr},
                     {"previous_holder", HolderToJson(outcome.before)}};
    } else {
      result.data = StateData(outcome.before);
      result.data["previous_holder"] = nullptr;
    }
    return result;
  }
};

}  // namespace

const Module& DeployLockModule() {
  static const DeployLock module;
  return module;
}

}  // namespace deployctl
