// `healthcheck`: waits until a URL answers 2xx, fetched on the host itself.
//
//   - healthcheck: {app: myapp}
//   - healthcheck: {url: "http://127.0.0.1:8080/health", timeout: 30}
//
// Arguments: url (default apps.NAME.healthcheck.url when app is given),
// timeout (total seconds; default apps.NAME.healthcheck.timeout, else 60;
// 0 makes one attempt), app (optional). With app and no url and no
// healthcheck configured there is nothing to check (ok, data.skipped).
//
// One script runs on the host (HealthCheckScript in
// orchestrator/app/service_status.h): curl, else wget, else busybox wget,
// polling about once a second; one SSH round trip for the whole wait.
// Healthy means a 2xx answer (redirects followed). Never changed.
//
// Data: {url, healthy, status ("HTTP 200", "connection refused", ...),
// elapsed, attempts, tool}. Failure message:
//   health check of http://127.0.0.1:8080/health failed after 60 s: last answer HTTP 503
//
// In --check the probe is only recorded (not read_only): nothing was really
// deployed, so its answer would say nothing about the release.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

class HealthcheckModule : public Module {
 public:
  std::string_view name() const override { return "healthcheck"; }
  std::vector<ArgSpec> args() const override;
  ModuleResult Run(ModuleContext& ctx) const override;
};

}  // namespace deployctl
