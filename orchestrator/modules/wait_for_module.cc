#include "orchestrator/modules/wait_for_module.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"

namespace deployctl {
namespace {

using remote::Command;

// $1 host, $2 port, $3 connect timeout. Exit 0: open; 127: no probe tool.
constexpr const char* kPortProbe =
    "if command -v bash >/dev/null 2>&1; then "
    "exec bash -c 'exec 3<>\"/dev/tcp/$1/$2\"' wait_for \"$1\" \"$2\" 2>/dev/null; fi; "
    "if command -v nc >/dev/null 2>&1; then exec nc -z -w \"$3\" \"$1\" \"$2\"; fi; "
    "echo 'neither bash nor nc is available to probe ports' >&2; exit 127";

class SystemClock : public WaitClock {
 public:
  double Now() override {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
  }
  void Sleep(double seconds) override {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
};

}  // namespace

WaitClock& SystemWaitClock() {
  static SystemClock clock;
  return clock;
}

std::vector<ArgSpec> WaitForModule::args() const {
  return {{"host"},    {"port"},  {"path"},  {"state"},
          {"timeout"}, {"delay"}, {"sleep"}, {"connect_timeout"},
          {"msg"}};
}

ModuleResult WaitForModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    const std::string state =
        args.Choice("state", {"started", "present", "stopped", "absent"}, "started");
    const bool want_up = state == "started" || state == "present";
    const long long timeout = args.Int("timeout", 300);
    const long long delay = args.Int("delay", 0);
    const long long sleep = args.Int("sleep", 1);
    const long long connect_timeout = args.Int("connect_timeout", 5);
    if (timeout < 0 || delay < 0 || sleep < 1 || connect_timeout < 1) {
      args.Fail("timeout and delay must be >= 0, sleep and connect_timeout >= 1");
    }
    if (args.Has("port") && args.Has("path")) args.Fail("give 'port' or 'path', not both");

    std::string target, timeout_msg;
    std::function<bool()> probe;
    if (args.Has("port")) {
      const long long port = args.Int("port", 0);
      if (port < 1 || port > 65535) args.FailType("port", "a port number (1-65535)");
      const std::string host = args.String("host").value_or("127.0.0.1");
      target = host + ":" + std::to_string(port);
      timeout_msg = "Timeout when waiting for " + target + (want_up ? "" : " to stop");
      Command command = Command::Argv({"sh", "-c", kPortProbe, "wait_for", host,
                                       std::to_string(port), std::to_string(connect_timeout)});
      command.read_only = true;
      command.timeout_seconds = static_cast<int>(connect_timeout) + 5;
      probe = [&ctx, command, &target] {
        const remote::CommandResult result = ctx.host.Run(command);
        if (result.exit_status == 127) {
          throw ModuleError("cannot probe " + target + " on " + ctx.host.host() +
                            ": neither bash nor nc is installed there");
        }
        return result.ok();
      };
    } else if (args.Has("path")) {
      target = args.RequiredString("path");
      timeout_msg = want_up ? "Timeout when waiting for file " + target
                            : "Timeout when waiting for " + target + " to be absent";
      probe = [&ctx, &target] { return remote::StatFollow(ctx.host, target).exists; };
    }
    timeout_msg = args.String("msg").value_or(timeout_msg);
    const std::string goal = target + (want_up ? "" : " to go away");

    ModuleResult result;
    const double start = clock_.Now();
    if (!probe) {  // Ansible's plain pause
      if (!ctx.check_mode) clock_.Sleep(static_cast<double>(timeout));
      result.msg = Say(ctx.check_mode, "waited ", "would wait ") + std::to_string(timeout) + "s";
    } else if (ctx.check_mode) {
      const bool now = probe() == want_up;
      result.msg = now ? goal + ": condition already met"
                       : "would wait up to " + std::to_string(timeout) + "s for " + goal;
    } else {
      if (delay > 0) clock_.Sleep(static_cast<double>(delay));
      while (probe() != want_up) {
        if (clock_.Now() - start >= static_cast<double>(timeout)) {
          result.failed = true;
          result.msg = timeout_msg;
          break;
        }
        clock_.Sleep(static_cast<double>(sleep));
      }
      if (!result.failed) result.msg = goal + ": condition met";
    }
    const long long elapsed = static_cast<long long>(std::floor(clock_.Now() - start));
    result.data = {{"elapsed", elapsed}, {"state", state}, {"changed", false}};
    if (args.Has("port")) result.data["port"] = args.Int("port", 0);
    if (args.Has("path")) result.data["path"] = target;
    return result;
  });
}

}  // namespace deployctl
