#include "orchestrator/modules/healthcheck_module.h"

#include <regex>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/service_status.h"
#include "orchestrator/modules/module_args.h"

namespace deployctl {

namespace {
constexpr int kRequestTimeout = 10;  // seconds for one request, at most
}  // namespace

std::vector<ArgSpec> HealthcheckModule::args() const {
  return {{"url"}, {"timeout"}, {"app"}};
}

ModuleResult HealthcheckModule::Run(ModuleContext& ctx) const {
  return RunGuarded([&] {
    const ModuleArgs args(name(), ctx.args);
    std::optional<std::string> url = args.String("url");
    long long timeout = 60;
    if (auto app_name = args.String("app")) {
      const AppConfig app = AppConfigForHost(*app_name, ctx.vars);
      if (app.healthcheck.enabled) {
        if (!url) url = app.healthcheck.url;
        timeout = app.healthcheck.timeout;
      } else if (!url) {
        ModuleResult skipped;
        skipped.msg = "skipped: apps." + app.name + ".healthcheck is not configured";
        skipped.data = {{"skipped", true},
                        {"reason", "apps." + app.name + ".healthcheck is not configured"}};
        return skipped;
      }
    } else if (!url) {
      args.Fail("give 'url', or 'app' with apps.NAME.healthcheck configured");
    }
    timeout = args.Int("timeout", timeout);
    if (timeout < 0 || timeout > 86400) args.FailType("timeout", "a number of seconds (0-86400)");
    static const std::regex kUrl("https?://[^\\s'\"]+");
    if (!std::regex_match(*url, kUrl)) args.FailType("url", "an http:// or https:// URL");

    const HealthProbe probe =
        RunHealthCheck(ctx.host, *url, static_cast<int>(timeout), kRequestTimeout,
                       /*read_only=*/false);
    ModuleResult result;
    if (ctx.check_mode) {
      result.msg = "would check " + *url + " (up to " + std::to_string(timeout) + " s)";
      result.data = {{"url", *url}, {"timeout", timeout}};
      return result;
    }
    result.data = {{"url", probe.url},           {"healthy", probe.healthy},
                   {"status", probe.status},     {"elapsed", probe.elapsed},
                   {"attempts", probe.attempts}, {"tool", probe.tool}};
    if (probe.healthy) {
      result.msg = probe.url + " answered " + probe.status + " after " +
                   std::to_string(probe.elapsed) + " s (" + std::to_string(probe.attempts) +
                   (probe.attempts == 1 ? " attempt)" : " attempts)");
    } else {
      result.failed = true;
      result.msg = DescribeFailedHealth(probe);
    }
    return result;
  });
}

}  // namespace deployctl
