#include "orchestrator/modules/compose_module.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <stdexcept>

#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/service_status.h"
#include "orchestrator/modules/release_arg.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;

// What `changed` compares: each container's id and whether it runs.
std::vector<std::string> Fingerprint(const std::vector<ContainerState>& containers) {
  std::vector<std::string> print;
  for (const auto& c : containers) print.push_back(c.id + (c.running ? " running" : " stopped"));
  std::sort(print.begin(), print.end());
  return print;
}

bool AnyRunning(const std::vector<ContainerState>& containers,
                const std::vector<std::string>& services) {
  return std::any_of(containers.begin(), containers.end(), [&](const ContainerState& c) {
    return c.running && (services.empty() ||
                         std::find(services.begin(), services.end(), c.service) != services.end());
  });
}

std::vector<std::string> With(std::vector<std::string> argv,
                              std::initializer_list<std::string> words,
                              const std::vector<std::string>& tail = {}) {
  argv.insert(argv.end(), words);
  argv.insert(argv.end(), tail.begin(), tail.end());
  return argv;
}

}  // namespace

std::vector<ArgSpec> ComposeModule::args() const {
  return {{"app", true}, {"release_id"}, {"release"}, {"state"}, {"services"}};
}

ModuleResult ComposeModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const std::string state = args.Choice("state", {"up", "stopped", "restarted", "down"}, "up");
    const std::vector<std::string> services =
        args.StringList("services").value_or(std::vector<std::string>{});
    static const std::regex kService("[A-Za-z0-9][A-Za-z0-9._-]*");
    for (const auto& s : services) {
      if (!std::regex_match(s, kService)) args.Fail("'" + s + "' is not a compose service name");
    }
    if (state == "down" && !services.empty()) {
      args.Fail("state=down takes the whole project down; use state=stopped for some services");
    }
    const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
    const std::string release = ReleaseIdFromArgs(args, ctx.host, app);
    const std::string dir = app.release_dir(release);
    const remote::RemoteFileInfo dir_info = ctx.host.Stat(dir);
    const bool dir_exists = dir_info.exists && dir_info.is_dir;
    if (!dir_exists && !ctx.check_mode) {
      args.Fail("release directory " + dir + " does not exist on " + ctx.host.host());
    }
    const std::vector<std::string> compose = ComposeArgvOnHost(ctx.host, app, dir);

    // Look before touching. In --check the release may exist only in the
    // plan, so a failed look there just means "unknown".
    std::optional<std::vector<ContainerState>> before;
    std::string look_error;
    if (dir_exists) {
      try {
        before = ReadContainerStates(ctx.host, compose, dir);
      } catch (const std::runtime_error& e) {
        look_error = e.what();
      }
    }

    std::vector<Command> steps;
    auto step = [&](std::vector<std::string> argv) {
      Command c = Command::Argv(std::move(argv));
      c.cwd = dir;
      steps.push_back(std::move(c));
    };
    if (state == "up") {
      step(With(compose, {"up", "-d", "--remove-orphans"}, services));
    } else if (state == "restarted") {
      step(With(compose, {"up", "-d", "--remove-orphans"}, services));
      step(With(compose, {"restart"}, services));
    } else if (state == "stopped") {
      step(With(compose, {"stop"}, services));
    } else {
      step(With(compose, {"down", "--remove-orphans"}));
    }

    ModuleResult result;
    result.data = {
        {"release", release}, {"release_dir", dir},          {"project", app.compose.project},
        {"state", state},     {"services", Value::object()}, {"containers", Value::array()}};
    std::string rendered;
    for (const Command& c : steps) {
      rendered += (rendered.empty() ? "" : "; ") + remote::RenderCommand(c);
      const CommandResult ran = ctx.host.Run(c);
      if (!ran.ok()) {
        result.failed = true;
        result.changed = true;  // compose may have done part of it
        result.data["rc"] = ran.exit_status;
        result.data["stderr"] = LastLines(ran.err, 20);
        const std::string why = LastLines(ran.err.empty() ? ran.out : ran.err, 5);
        result.msg = "compose " + c.argv[compose.size()] + " of " + app.name + " release " +
                     release + " failed on " + ctx.host.host() + " (exit " +
                     std::to_string(ran.exit_status) + ")" + (why.empty() ? "" : ": " + why);
        result.data["command"] = rendered;
        return result;
      }
    }
    result.data["command"] = rendered;

    if (ctx.check_mode) {
      // Nothing ran: predict from what was there.
      if (state == "stopped")
        result.changed = !before || AnyRunning(*before, services);
      else if (state == "down")
        result.changed = !before || !before->empty();
      else
        result.changed = true;
      if (before) {
        result.data["services"] = ServicesValue(*before);
        result.data["containers"] = ContainersValue(*before);
      }
      result.msg = "would run: " + rendered;
      return result;
    }

    std::optional<std::vector<ContainerState>> after;
    try {
      after = ReadContainerStates(ctx.host, compose, dir);
      result.data["services"] = ServicesValue(*after);
      result.data["containers"] = ContainersValue(*after);
    } catch (const std::runtime_error& e) {
      look_error = e.what();
    }
    if (!look_error.empty()) result.data["services_error"] = look_error;

    if (state == "restarted") {
      result.changed = true;
    } else if (state == "stopped") {
      result.changed = !before || AnyRunning(*before, services);
    } else if (state == "down") {
      result.changed = !before || !before->empty();
    } else {
      result.changed = !before || !after || Fingerprint(*before) != Fingerprint(*after);
    }
    return result;
  });
}

}  // namespace deployctl
