#include "orchestrator/modules/migrate_module.h"

#include <sstream>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/service_status.h"
#include "orchestrator/app/wait_until.h"
#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/release_arg.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;

std::string TrimNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

long long Field(const std::string& out, const std::string& key) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key + "=", 0) == 0) {
      try {
        return std::stoll(line.substr(key.size() + 1));
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
  return 0;
}

// Why `exec` into `service` may have failed silently: compose v1 exits 1
// without a word when the service has no running container.
std::string ServiceHint(remote::Transport& host, const std::vector<std::string>& compose,
                        const std::string& dir, const std::string& service) {
  try {
    const auto containers = ReadContainerStates(host, compose, dir, {service});
    if (containers.empty()) return "service '" + service + "' has no container";
    for (const auto& c : containers) {
      if (c.running) return "";
    }
    const ContainerState& c = containers.front();
    return "service '" + service + "' is not running (" + c.state +
           (c.state == "exited" ? ", exit code " + std::to_string(c.exit_code) : "") + ")";
  } catch (const std::runtime_error&) {
    return "";
  }
}

}  // namespace

std::vector<ArgSpec> MigrateModule::args() const {
  return {{"app", true}, {"release_id"}, {"release"}, {"wait_timeout"}};
}

ModuleResult MigrateModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const long long wait_timeout = args.Int("wait_timeout", 60);
    if (wait_timeout < 0) args.FailType("wait_timeout", "a number of seconds >= 0");
    const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
    ModuleResult result;
    if (!app.migrate.enabled) {
      result.msg = "skipped: apps." + app.name + ".migrate is not configured";
      result.data = {{"skipped", true},
                     {"reason", "apps." + app.name + ".migrate is not configured"}};
      return result;
    }
    const std::string release = ReleaseIdFromArgs(args, ctx.host, app);
    const std::string dir = app.release_dir(release);
    if (!ctx.check_mode && !ctx.host.Stat(dir).is_dir) {
      args.Fail("release directory " + dir + " does not exist on " + ctx.host.host());
    }
    const std::vector<std::string> compose = ComposeArgvOnHost(ctx.host, app, dir);
    result.data = {{"release", release},
                   {"service", app.migrate.service},
                   {"command", app.migrate.command},
                   {"database_wait", nullptr}};

    std::string plan;
    if (app.database.enabled) {
      std::vector<std::string> argv = {"sh", "-c", WaitUntilSucceedsScript(), "deployctl-wait",
                                       std::to_string(wait_timeout)};
      argv.insert(argv.end(), compose.begin(), compose.end());
      argv.insert(argv.end(), {"exec", "-T", app.database.service, "pg_isready", "-U",
                               app.database.user, "-d", app.database.name});
      Command wait = Command::Argv(std::move(argv));
      wait.cwd = dir;
      wait.timeout_seconds = static_cast<int>(wait_timeout) + 60;
      const CommandResult waited = ctx.host.Run(wait);
      result.data["database_wait"] = {{"attempts", Field(waited.out, "attempts")},
                                      {"elapsed", Field(waited.out, "elapsed")}};
      if (!waited.ok()) {
        std::string why = LastLines(waited.err, 3);
        if (why.empty()) why = ServiceHint(ctx.host, compose, dir, app.database.service);
        result.failed = true;
        result.msg = "database service '" + app.database.service + "' of " + app.name +
                     " did not accept connections within " + std::to_string(wait_timeout) +
                     " s on " + ctx.host.host() + (why.empty() ? "" : ": " + why);
        return result;
      }
      plan = "wait for " + app.database.service + ", then ";
    }

    std::vector<std::string> argv = compose;
    argv.insert(argv.end(), {"exec", "-T", app.migrate.service, "sh", "-c", app.migrate.command});
    Command migrate = Command::Argv(std::move(argv));
    migrate.cwd = dir;
    const CommandResult ran = ctx.host.Run(migrate);
    result.changed = true;
    const std::string out = TrimNewlines(ran.out), err = TrimNewlines(ran.err);
    result.data["rc"] = ran.exit_status;
    result.data["stdout"] = out;
    result.data["stderr"] = err;
    if (ctx.check_mode) {
      result.msg = "would " + plan + "run: " + remote::RenderCommand(migrate);
    } else if (!ran.ok()) {
      std::string why = LastLines(err.empty() ? out : err, 10);
      if (why.empty()) why = ServiceHint(ctx.host, compose, dir, app.migrate.service);
      result.failed = true;
      result.msg = "migration '" + app.migrate.command + "' in service '" + app.migrate.service +
                   "' failed on " + ctx.host.host() + " (exit " + std::to_string(ran.exit_status) +
                   ")" + (why.empty() ? "" : ": " + why);
    } else {
      result.msg = "ran '" + app.migrate.command + "' in service '" + app.migrate.service + "'";
    }
    return result;
  });
}

}  // namespace deployctl
