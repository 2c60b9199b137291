#include "orchestrator/app/service_status.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "orchestrator/app/compose_cli.h"
#include "orchestrator/core/strings.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;
using remote::ShellQuote;

// One line per container. `index .State "Health"` rather than
// `.State.Health`: docker's CLI falls back to the raw JSON map, where a
// missing key is an error ("map has no entry for key Health") for
// containers without a health check.
constexpr const char* kInspectFormat =
    "{{.Id}}|{{.Name}}|{{index .Config.Labels \"com.docker.compose.service\"}}|"
    "{{index .Config.Labels \"com.docker.compose.oneoff\"}}|{{.State.Status}}|"
    "{{.State.Running}}|{{with index .State \"Health\"}}{{.Status}}{{end}}|{{.State.ExitCode}}";

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

std::string JoinDistinct(const std::vector<std::string>& values) {
  std::set<std::string> distinct(values.begin(), values.end());
  distinct.erase("");
  std::string joined;
  for (const auto& v : distinct) joined += (joined.empty() ? "" : ",") + v;
  return joined;
}

int ToInt(const std::string& text, int fallback) {
  try {
    size_t used = 0;
    const int n = std::stoi(text, &used);
    return used == text.size() ? n : fallback;
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace

// ------------------------------------------------------------- containers

Command ContainerStatesCommand(const std::vector<std::string>& compose_argv,
                               const std::string& release_dir,
                               const std::vector<std::string>& services) {
  std::string ps;
  for (const auto& word : compose_argv) ps += ShellQuote(word) + " ";
  ps += "ps -q -a";
  for (const auto& service : services) ps += " " + ShellQuote(service);
  Command command = Command::Shell("ids=$(" + ps +
                                   ") || exit $?; [ -n \"$ids\" ] || exit 0; "
                                   "exec docker inspect --type container -f " +
                                   ShellQuote(kInspectFormat) + " $ids");
  command.cwd = release_dir;
  command.read_only = true;
  command.timeout_seconds = 60;
  return command;
}

std::vector<ContainerState> ParseContainerStates(const std::string& out) {
  std::vector<ContainerState> containers;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    line = Trim(line);
    if (line.empty()) continue;
    const std::vector<std::string> f = Split(line, '|');
    if (f.size() != 8) continue;                     // not ours (a warning docker printed)
    if (f[3] == "True" || f[3] == "true") continue;  // compose run
    ContainerState c;
    c.id = f[0];
    c.name = f[1].starts_with("/") ? f[1].substr(1) : f[1];
    c.service = f[2];
    c.state = f[4];
    c.running = f[5] == "true";
    c.health = f[6];
    c.exit_code = ToInt(f[7], 0);
    containers.push_back(std::move(c));
  }
  std::sort(containers.begin(), containers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.service, a.name) < std::tie(b.service, b.name);
  });
  return containers;
}

std::vector<ContainerState> ReadContainerStates(remote::Transport& host,
                                                const std::vector<std::string>& compose_argv,
                                                const std::string& release_dir,
                                                const std::vector<std::string>& services) {
  const CommandResult r = host.Run(ContainerStatesCommand(compose_argv, release_dir, services));
  std::vector<ContainerState> containers = ParseContainerStates(r.out);
  // A container removed between `ps` and `inspect` makes docker exit 1
  // after printing the others: that is still an answer.
  if (!r.ok() && containers.empty()) {
    const std::string why = LastLines(r.err.empty() ? r.out : r.err, 3);
    throw std::runtime_error(host.host() + ": cannot read the containers of compose project in " +
                             release_dir + " (exit " + std::to_string(r.exit_status) + ")" +
                             (why.empty() ? "" : ": " + why));
  }
  return containers;
}

std::vector<ServiceState> SummarizeServices(const std::vector<ContainerState>& containers) {
  std::map<std::string, std::vector<const ContainerState*>> by_service;
  for (const auto& c : containers) by_service[c.service].push_back(&c);
  std::vector<ServiceState> services;
  for (const auto& [name, list] : by_service) {
    ServiceState s;
    s.name = name;
    s.containers = static_cast<int>(list.size());
    std::vector<std::string> states, health;
    s.running = true;
    for (const ContainerState* c : list) {
      states.push_back(c->state);
      health.push_back(c->health);
      s.running = s.running && c->running;
    }
    s.state = JoinDistinct(states);
    s.health = JoinDistinct(health);
    services.push_back(std::move(s));
  }
  return services;
}

Value ServicesValue(const std::vector<ContainerState>& containers) {
  Value services = Value::object();
  for (const auto& s : SummarizeServices(containers)) services[s.name] = s.state;
  return services;
}

Value ContainersValue(const std::vector<ContainerState>& containers) {
  Value list = Value::array();
  for (const auto& c : containers) {
    list.push_back({{"id", c.id},
                    {"name", c.name},
                    {"service", c.service},
                    {"state", c.state},
                    {"running", c.running},
                    {"health", c.health},
                    {"exit_code", c.exit_code}});
  }
  return list;
}

std::string LastLines(const std::string& text, int n) {
  std::vector<std::string> kept;
  for (const auto& line : Split(text, '\n')) {
    std::string trimmed = Trim(line);
    if (!trimmed.empty()) kept.push_back(std::move(trimmed));
  }
  const size_t from = kept.size() > static_cast<size_t>(n) ? kept.size() - n : 0;
  std::string joined;
  for (size_t i = from; i < kept.size(); ++i) joined += (i == from ? "" : "\n") + kept[i];
  return joined;
}

// ----------------------------------------------------------------- health

const std::string& HealthCheckScript() {
  // POSIX sh (dash, busybox ash). Notes:
  // - curl: -L follows redirects like wget does; -w prints the final status
  //   ("000" when there was no HTTP answer); --max-time bounds one request.
  // - GNU wget: -S prints the status lines; --tries=1, it retries otherwise.
  // - busybox wget: its -T crashes busybox 1.35 (Debian 12's: SIGSEGV), so
  //   one request is bounded by `timeout` instead, when there is one.
  static const std::string script = R"SH(url=$1 total=$2 per=$3
if command -v curl >/dev/null 2>&1; then tool=curl
elif command -v wget >/dev/null 2>&1; then
  if wget --version 2>/dev/null | grep -q 'GNU Wget'; then tool=wget; else tool=busybox-wget; get=wget; fi
elif command -v busybox >/dev/null 2>&1 && busybox --list 2>/dev/null | grep -qx wget; then tool=busybox-wget; get='busybox wget'
else echo tool=none; echo 'status=none of curl, wget or busybox wget is installed'; exit 127; fi
if command -v timeout >/dev/null 2>&1; then tmo=timeout
elif command -v busybox >/dev/null 2>&1 && busybox --list 2>/dev/null | grep -qx timeout; then tmo='busybox timeout'
else tmo=; fi
start=$(date +%s); deadline=$((start + total)); attempts=0; healthy=0; status=
while :; do
  attempts=$((attempts + 1))
  left=$((deadline - $(date +%s)))
  if [ "$total" -eq 0 ] || [ "$left" -gt "$per" ]; then left=$per; fi
  [ "$left" -ge 1 ] || left=1
  case $tool in
    curl) out=$(curl -sS -L -o /dev/null -w '\nhttp_code=%{http_code}' --max-time "$left" "$url" 2>&1); rc=$?
          code=$(printf '%s\n' "$out" | sed -n 's/^http_code=//p' | tail -n 1)
          out=$(printf '%s\n' "$out" | grep -v '^http_code=') ;;
    wget) out=$(wget -S -O /dev/null -T "$left" --tries=1 "$url" 2>&1); rc=$?
          code=$(printf '%s\n' "$out" | sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -n 1) ;;
    *) if [ -n "$tmo" ]; then out=$($tmo "$left" $get -S -O /dev/null "$url" 2>&1); rc=$?
       else out=$($get -S -O /dev/null "$url" 2>&1); rc=$?; fi
       code=$(printf '%s\n' "$out" | sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -n 1) ;;
  esac
  if [ -n "$code" ] && [ "$code" != 000 ]; then status="HTTP $code"
  elif [ "$rc" -eq 0 ]; then status='answered'; code=200
  else
    case $out in
      *[Rr]efused*|*"Couldn't connect to server"*) status='connection refused' ;;
      *[Tt]imed\ out*|*[Tt]imeout*|*"timed out"*) status='timed out' ;;
      *resolve*|*[Bb]ad\ address*|*"Name or service not known"*) status='cannot resolve the host name' ;;
      *[Rr]eset*) status='connection reset' ;;
      *) case $rc in
           124|137|143) status='timed out' ;;
           *) status=$(printf '%s\n' "$out" | grep -v '^ *$' | tail -n 1)
              [ -n "$status" ] || status="no answer ($tool exit $rc)" ;;
         esac ;;
    esac
  fi
  case $code in 2??) healthy=1; break ;; esac
  [ "$(date +%s)" -lt "$deadline" ] || break
  sleep 1
done
echo "tool=$tool"
echo "attempts=$attempts"
echo "elapsed=$(($(date +%s) - start))"
printf 'status=%s\n' "$status" | tr -d '\r' | head -n 1
[ "$healthy" -eq 1 ]
)SH";
  return script;
}

Command HealthCheckCommand(const std::string& url, int timeout, int request_timeout) {
  timeout = std::max(0, timeout);
  request_timeout = std::max(1, request_timeout);
  Command command = Command::Argv({"sh", "-c", HealthCheckScript(), "deployctl-healthcheck", url,
                                   std::to_string(timeout), std::to_string(request_timeout)});
  command.timeout_seconds = timeout + request_timeout + 30;
  return command;
}

HealthProbe ParseHealthCheck(const std::string& url, const CommandResult& result) {
  HealthProbe probe;
  probe.url = url;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = Trim(line.substr(eq + 1));
    if (key == "tool")
      probe.tool = value;
    else if (key == "attempts")
      probe.attempts = ToInt(value, 0);
    else if (key == "elapsed")
      probe.elapsed = ToInt(value, 0);
    else if (key == "status")
      probe.status = value;
  }
  probe.healthy = result.exit_status == 0 && !probe.tool.empty();
  if (probe.tool.empty()) {  // the script did not get to its end
    const std::string why = LastLines(result.err.empty() ? result.out : result.err, 2);
    probe.status = result.exit_status == -1
                       ? "the probe was killed or the connection was lost"
                       : "the probe failed (exit " + std::to_string(result.exit_status) + ")";
    if (!why.empty()) probe.status += ": " + why;
  }
  return probe;
}

HealthProbe RunHealthCheck(remote::Transport& host, const std::string& url, int timeout,
                           int request_timeout, bool read_only) {
  Command command = HealthCheckCommand(url, timeout, request_timeout);
  command.read_only = read_only;
  return ParseHealthCheck(url, host.Run(command));
}

std::string DescribeFailedHealth(const HealthProbe& probe) {
  if (probe.tool == "none") {
    return "cannot check " + probe.url + ": none of curl, wget or busybox wget is installed";
  }
  const std::string last = probe.status.starts_with("HTTP ") ? "last answer " + probe.status
                           : probe.status.empty()            ? "no answer"
                                                             : probe.status;
  return "health check of " + probe.url + " failed after " + std::to_string(probe.elapsed) +
         " s: " + last;
}

// ------------------------------------------------------------- the release

std::optional<std::string> CurrentReleaseId(remote::Transport& host, const AppConfig& app) {
  const remote::RemoteFileInfo info = host.Stat(app.current_link());
  if (!info.exists) return std::nullopt;
  if (!info.is_link) {
    throw std::runtime_error(host.host() + ": " + app.current_link() +
                             " is not a symbolic link to a release");
  }
  std::string target = info.link_target;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  const size_t slash = target.rfind('/');
  const std::string id = slash == std::string::npos ? target : target.substr(slash + 1);
  const std::string parent = slash == std::string::npos ? "" : target.substr(0, slash);
  const bool in_releases = parent == "releases" || parent == app.releases_dir();
  if (!in_releases || !IsValidReleaseId(id)) {
    throw std::runtime_error(host.host() + ": " + app.current_link() + " points to '" +
                             info.link_target + "', not to releases/<id>");
  }
  return id;
}

// ------------------------------------------------------ deployctl status

AppServiceStatus ReadAppServiceStatus(remote::Transport& host, const AppConfig& app,
                                      int health_timeout) {
  AppServiceStatus status;
  try {
    status.release = CurrentReleaseId(host, app);
  } catch (const remote::UnreachableError&) {
    throw;
  } catch (const std::exception& e) {
    status.release_error = e.what();
  }
  if (status.release) {
    try {
      status.compose = DetectComposeCommand(host);
      const std::string dir = app.release_dir(*status.release);
      status.containers = ReadContainerStates(host, ComposeArgv(status.compose, app, dir), dir);
      status.services = SummarizeServices(status.containers);
    } catch (const remote::UnreachableError&) {
      throw;
    } catch (const std::exception& e) {
      status.services_error = e.what();
    }
  } else if (status.release_error.empty()) {
    status.services_error = "no release is deployed (" + app.current_link() + " does not exist)";
  }
  if (app.healthcheck.enabled) {
    status.health = RunHealthCheck(host, app.healthcheck.url, 0, std::max(1, health_timeout),
                                   /*read_only=*/true);
  }
  return status;
}

Value AppServiceStatusValue(const AppServiceStatus& status) {
  Value v = Value::object();
  v["release"] = status.release ? Value(*status.release) : Value(nullptr);
  if (!status.release_error.empty()) v["release_error"] = status.release_error;
  v["services"] = ServicesValue(status.containers);
  v["containers"] = ContainersValue(status.containers);
  if (!status.services_error.empty()) v["services_error"] = status.services_error;
  if (status.health) {
    const HealthProbe& h = *status.health;
    v["health"] = {{"url", h.url},         {"healthy", h.healthy},   {"status", h.status},
                   {"elapsed", h.elapsed}, {"attempts", h.attempts}, {"tool", h.tool}};
  } else {
    v["health"] = nullptr;
  }
  return v;
}

}  // namespace deployctl
