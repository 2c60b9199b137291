#include "orchestrator/modules/deploy_history_module.h"

#include <ctime>
#include <regex>

#include "orchestrator/app/lock_info.h"
#include "orchestrator/app/run_identity.h"
#include "orchestrator/core/redact.h"
#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::ShellQuote;

Value OrNull(const std::optional<std::string>& value) {
  return value && !value->empty() ? Value(*value) : Value(nullptr);
}

class DeployHistory : public Module {
 public:
  std::string_view name() const override { return "deploy_history"; }
  std::vector<ArgSpec> args() const override {
    return {{"app", true},  {"event", true}, {"result", true},
            {"release_id"}, {"backup"},      {"message"}};
  }

  ModuleResult Run(ModuleContext& ctx) const override {
    return RunGuarded([&] {
      const ModuleArgs args(name(), ctx.args);
      const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
      static const std::regex kWord("[a-z][a-z0-9_-]{0,31}");
      const std::string event = args.RequiredString("event");
      if (!std::regex_match(event, kWord)) args.FailType("event", "a word like deploy or rollback");
      const std::string outcome = args.RequiredString("result");
      if (!std::regex_match(outcome, kWord)) args.FailType("result", "ok, failed or rolled_back");
      const auto release = args.String("release_id");
      if (release && !release->empty() && !IsValidReleaseId(*release)) {
        args.FailType("release_id", "digits (UTC epoch seconds)");
      }
      const auto message = args.String("message");

      const Value run = RunIdentity(ctx.vars);
      auto from_run = [&](const char* key) {
        return run.contains(key) && !run[key].is_null() ? run[key] : Value(nullptr);
      };
      const Value record = {{"time", IsoUtc(static_cast<long long>(std::time(nullptr)))},
                            {"user", from_run("user")},
                            {"controller", from_run("controller")},
                            {"event", event},
                            {"app", app.name},
                            {"release", OrNull(release)},
                            {"backup", OrNull(args.String("backup"))},
                            {"result", outcome},
                            {"message", message ? OrNull(Redact(*message)) : Value(nullptr)},
                            {"token", from_run("token")}};
      const std::string line =
          record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      CheckRan(ctx.host.Run(Command::Shell("mkdir -p -- " + ShellQuote(app.meta_dir()) +
                                           " && printf '%s\\n' " + ShellQuote(line) + " >> " +
                                           ShellQuote(app.history_file()))),
               "appending to " + app.history_file());

      ModuleResult result;
      result.changed = true;
      result.msg = Say(ctx.check_mode, "recorded ", "would record ") + event + " " + outcome +
                   " in " + app.history_file();
      result.data = {{"line", record}};
      return result;
    });
  }
};

}  // namespace

const Module& DeployHistoryModule() {
  static const DeployHistory module;
  return module;
}

}  // namespace deployctl
