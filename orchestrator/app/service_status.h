// The service side of an app on one host: which containers its compose
// project has and what they are doing, and whether its health URL answers.
// Shared by the compose, migrate and healthcheck modules and by
// `deployctl status`.
//
// Container states come from `<compose> ps -q -a [services]` (ids of every
// container of the project, stopped ones too) followed by one
// `docker inspect -f ...` of those ids, in a single read-only round trip:
// compose v1's `ps` table truncates and wraps, v2's differs, and only the
// labels and State that docker inspect prints are the same for both.
//
// The health probe is one POSIX sh script run on the host: it picks curl,
// else wget (GNU or busybox), else `busybox wget`, and polls the URL about
// once a second until a 2xx answer or the total timeout. One SSH round trip
// however long it waits.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/app/app_config.h"
#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

// ------------------------------------------------------------- containers

struct ContainerState {
  std::string id;       // full container id
  std::string name;     // container name, without docker's leading '/'
  std::string service;  // compose service (label com.docker.compose.service)
  std::string state;    // docker's: created, running, restarting, paused, exited, dead
  bool running = false;
  std::string health;  // healthy, unhealthy, starting; "" without a health check
  int exit_code = 0;
};

// One compose service: its containers' states combined.
struct ServiceState {
  std::string name;
  std::string state;     // the containers' common state, else their states joined by ','
  bool running = false;  // every container of the service runs
  std::string health;    // as `state`, "" when no container has a health check
  int containers = 0;
};

// The read-only command that lists the containers of the compose project
// `compose_argv` names (from ComposeArgv), run in `release_dir`. Only the
// containers of `services` when that is not empty.
remote::Command ContainerStatesCommand(const std::vector<std::string>& compose_argv,
                                       const std::string& release_dir,
                                       const std::vector<std::string>& services = {});

// Parses that command's output (one '|'-separated line per container).
// One-off containers (`compose run`) are left out.
std::vector<ContainerState> ParseContainerStates(const std::string& out);

// Runs ContainerStatesCommand and parses it. Throws std::runtime_error
// naming the host and compose's error when the command fails.
std::vector<ContainerState> ReadContainerStates(remote::Transport& host,
                                                const std::vector<std::string>& compose_argv,
                                                const std::string& release_dir,
                                                const std::vector<std::string>& services = {});

// Per service, sorted by name.
std::vector<ServiceState> SummarizeServices(const std::vector<ContainerState>& containers);

// {service: state} and [{id, name, service, state, running, health,
// exit_code}] for module results.
Value ServicesValue(const std::vector<ContainerState>& containers);
Value ContainersValue(const std::vector<ContainerState>& containers);

// The last `n` non-empty lines of `text` (compose writes its progress to
// stderr too; the error is at the end), joined by '\n'.
std::string LastLines(const std::string& text, int n);

// ----------------------------------------------------------------- health

struct HealthProbe {
  std::string url;
  bool healthy = false;
  std::string status;  // "HTTP 200", "HTTP 503", "connection refused", "timed out", ...
  std::string tool;    // curl, wget (GNU), busybox-wget, or none
  int attempts = 0;
  int elapsed = 0;  // seconds, measured on the host
};

// The probe script. Positional parameters: $1 URL, $2 total timeout in
// seconds (0: one attempt), $3 the limit for one request in seconds.
// Prints `tool=`, `attempts=`, `elapsed=`, `status=` lines; exits 0 when
// healthy, 1 when not, 127 when the host has none of the tools.
const std::string& HealthCheckScript();

// `sh -c <script> deployctl-healthcheck URL TIMEOUT REQUEST_TIMEOUT`, with a
// transport time limit a little above the script's own.
remote::Command HealthCheckCommand(const std::string& url, int timeout, int request_timeout);

// Reads the script's result.
HealthProbe ParseHealthCheck(const std::string& url, const remote::CommandResult& result);

// Runs the probe on `host`. `read_only` marks the command so --check runs
// it (status) or only records it (the deploy's health check, since in
// --check nothing was really deployed).
HealthProbe RunHealthCheck(remote::Transport& host, const std::string& url, int timeout,
                           int request_timeout, bool read_only);

// "http://x/health failed after 60 s: last answer HTTP 503" or
// "... failed after 60 s: connection refused".
std::string DescribeFailedHealth(const HealthProbe& probe);

// ------------------------------------------------------------- the release

// The release id `current` points to (readlink, never mtimes); nullopt when
// there is no `current` link. Throws std::runtime_error when `current` is
// not a link to releases/<id>.
std::optional<std::string> CurrentReleaseId(remote::Transport& host, const AppConfig& app);

// ------------------------------------------------------ deployctl status

struct AppServiceStatus {
  std::optional<std::string> release;  // current release id
  std::string release_error;           // why it could not be read
  std::vector<std::string> compose;    // the compose command found ("" when none)
  std::vector<ContainerState> containers;
  std::vector<ServiceState> services;
  std::string services_error;         // why containers could not be read
  std::optional<HealthProbe> health;  // when apps.NAME.healthcheck is set
};

// What `deployctl status` shows for `app` on `host`: the current release,
// the states of its compose services, and one health probe (at most
// `health_timeout` seconds) when a health check is configured. Only
// read-only commands. Problems are recorded in the *_error fields, not
// thrown, except an unreachable host.
AppServiceStatus ReadAppServiceStatus(remote::Transport& host, const AppConfig& app,
                                      int health_timeout = 5);

// The same as a value for `status --output json` and for messages.
Value AppServiceStatusValue(const AppServiceStatus& status);

}  // namespace deployctl
