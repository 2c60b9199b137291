#include "orchestrator/modules/deploy_lock_module.h"

#include <chrono>
#include <thread>

#include "orchestrator/app/lock_info.h"
#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::ShellQuote;

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
    ModuleResult result;
    if (ctx.check_mode) {  // --check takes no lock: say what a run would find
      const LockState now = ReadLockState(ctx.host, app);
      const bool mine = now.holder && now.holder->token == me.token;
      result.changed = !now.locked;
      result.msg =
          !now.locked ? "would take the lock of " + app.name
          : mine      ? "this run holds the lock of " + app.name
                 : "would wait for the lock: " + LockHeldMessage(app.name, ctx.host.host(), now);
      result.data = StateData(now);
      return result;
    }
    const std::string info_path = app.lock_dir() + "/info.json";
    const Command take = Command::Shell("mkdir -p -- " + ShellQuote(app.meta_dir()) +
                                        " && mkdir -- " + ShellQuote(app.lock_dir()));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
    bool gone_once = false;
    for (;;) {
      const remote::CommandResult made = ctx.host.Run(take);
      if (made.ok()) {
        try {
          ctx.host.WriteFile(info_path, LockInfoToJson(me).dump() + "\n", 0644);
        } catch (...) {
          ctx.host.Run(Command::Argv({"rm", "-rf", "--", app.lock_dir()}));
          throw;
        }
        result.changed = true;
        result.msg = "locked " + app.name + " on " + ctx.host.host();
        result.data = {{"locked", true}, {"holder", LockInfoToJson(me)}};
        return result;
      }
      const LockState now = ReadLockState(ctx.host, app);
      if (!now.locked) {
        // mkdir failed and there is no lock: released in between, or the
        // directory cannot be made at all (permissions).
        if (gone_once) CheckRan(made, "creating the lock directory " + app.lock_dir());
        gone_once = true;
        continue;
      }
      if (now.holder && !me.token.empty() && now.holder->token == me.token) {
        result.msg = "this run already holds the lock of " + app.name;
        result.data = StateData(now);
        return result;
      }
      if (std::chrono::steady_clock::now() + std::chrono::seconds(1) > deadline) {
        result = Failure(LockHeldMessage(app.name, ctx.host.host(), now));
        result.refused = true;
        result.data = StateData(now);
        return result;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  static ModuleResult Unlock(ModuleContext& ctx, const AppConfig& app, const LockInfo& me,
                             bool force) {
    ModuleResult result;
    const LockState now = ReadLockState(ctx.host, app);
    if (!now.locked) {
      result.msg = app.name + " is not locked on " + ctx.host.host();
      result.data = StateData(now);
      result.data["previous_holder"] = nullptr;
      return result;
    }
    const bool mine = now.holder && !me.token.empty() && now.holder->token == me.token;
    if (!mine && !force) {
      result.msg = "the lock of " + app.name + " is held by " + DescribeHolder(now) +
                   ", not by this run: left in place";
      result.data = StateData(now);
      result.data["previous_holder"] = nullptr;
      return result;
    }
    CheckRan(ctx.host.Run(Command::Argv({"rm", "-rf", "--", app.lock_dir()})),
             "removing the lock " + app.lock_dir());
    result.changed = true;
    result.msg = mine ? Say(ctx.check_mode, "unlocked ", "would unlock ") + app.name
                      : Say(ctx.check_mode, "removed ", "would remove ") + "the lock of " +
                            app.name + " held by " + DescribeHolder(now);
    result.data = {{"locked", false}, {"holder", nullptr}, {"previous_holder", HolderToJson(now)}};
    return result;
  }
};

}  // namespace

const Module& DeployLockModule() {
  static const DeployLock module;
  return module;
}

}  // namespace deployctl
