#include "orchestrator/app/db_host_session.h"

#include <algorithm>
#include <stdexcept>

#include "orchestrator/app/backup_pipeline.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/db_restore.h"
#include "orchestrator/core/error.h"
#include "orchestrator/core/redact.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;

// "127.0.0.1" for a server listening on loopback or everywhere, else its
// first address; "" when it listens on no TCP address.
std::string LoopbackOrFirst(const std::string& listen_addresses) {
  std::string first;
  size_t start = 0;
  while (start <= listen_addresses.size()) {
    size_t end = listen_addresses.find(',', start);
    if (end == std::string::npos) end = listen_addresses.size();
    std::string a = listen_addresses.substr(start, end - start);
    a.erase(0, a.find_first_not_of(' '));
    while (!a.empty() && a.back() == ' ') a.pop_back();
    if (a == "*" || a == "0.0.0.0" || a == "localhost" || a == "127.0.0.1") return "127.0.0.1";
    if (first.empty()) first = a;
    start = end + 1;
  }
  return first;
}

std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text.size() > 2000 ? text.substr(text.size() - 2000) : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (!out.empty() && !out.ends_with("; ")) out += "; ";
      continue;
    }
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

}  // namespace

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string WithStderr(std::string text, const CommandResult& r) {
  const std::string err = OneLine(r.err);
  return err.empty() ? text : text + ": " + err;
}

DbHostSession::DbHostSession(remote::Transport& host, const AppConfig& app)
    : host_(host), app_(app) {}

std::string DbHostSession::Locate() {
  try {
    dir_ = ProbeBackupDir(host_, app_);
    const BackupDirState& dir = dir_;
    if (!dir.release_dir) {
      return "nothing is deployed on " + host_.host() + " (" + app_.current_link() +
             " does not exist): there is no database";
    }
    release_dir_ = *dir.release_dir;
    const std::vector<std::string> cli = DetectComposeCommand(host_);
    if (ProbeDatabaseService(host_, cli, app_, release_dir_) != ServiceState::kRunning) {
      return "the database service '" + app_.database.service + "' is not running in " +
             release_dir_;
    }
    compose_ = ComposeArgv(cli, app_, release_dir_);
    exec_ = DatabaseExecArgv(cli, app_, release_dir_);
    // The same container through the docker CLI when the host has one:
    // docker-compose v1 takes seconds to start and relays stdin itself.
    if (auto fast = DatabaseContainerExec(host_, app_)) exec_ = *fast;
  } catch (const remote::UnreachableError&) {
    throw;
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

void DbHostSession::ConnectSql(const std::string& mode) {
  const std::string maintenance = MaintenanceDatabase(app_.database.name);
  if (mode == "psql") {
    sql_via_ = "psql in the database container";
    return;
  }
  std::string why;
  try {
    Command settings = Command::Argv(PsqlArgv(exec_, app_.database.user, maintenance, {}));
    settings.stdin_data = "SHOW port;\nSHOW listen_addresses;\n";
    settings.read_only = true;
    const CommandResult shown = host_.Run(settings);
    const std::vector<std::string> lines = NonEmptyLines(shown.out);
    int port = 0;
    if (shown.ok() && lines.size() == 2) {
      try {
        port = std::stoi(lines[0]);
      } catch (const std::exception&) {
      }
    }
    if (port <= 0) throw std::runtime_error("cannot read the server's port");
    const std::string address = LoopbackOrFirst(lines[1]);
    if (address.empty()) throw std::runtime_error("the server does not listen on TCP");
    // The image's convention (POSTGRES_PASSWORD); without it libpq's own
    // PGPASSWORD / ~/.pgpass on the controller apply.
    std::vector<std::string> printenv = exec_;
    printenv.insert(printenv.end(), {"sh", "-c", "printf %s \"${POSTGRES_PASSWORD:-}\""});
    Command env = Command::Argv(printenv);
    env.read_only = true;
    const CommandResult pw = host_.Run(env);
    std::string password = pw.ok() ? pw.out : "";
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
      password.pop_back();
    }
    if (!password.empty()) RegisterSecret(password);
    const int local = host_.OpenLocalForward(address, port);
    db::PgParams params;
    params.port = local;
    params.user = app_.database.user;
    params.password = password;
    params.dbname = maintenance;
    pg_ = std::make_unique<db::PgSession>(params);
    sql_via_ = "libpq through an SSH forward to " + address + ":" + std::to_string(port) + " on " +
               host_.host();
    return;
  } catch (const remote::UnreachableError& e) {
    why = e.what();
  } catch (const std::exception& e) {
    why = e.what();
  }
  if (mode == "libpq") throw TaskError("cannot reach the database with libpq: " + why);
  sql_via_ = "psql in the database container (libpq: " + Redact(why) + ")";
}

CommandResult DbHostSession::Sql(const std::map<std::string, std::string>& vars,
                                 const std::string& sql, bool read_only) const {
  if (pg_) {
    try {
      return CommandResult{0, pg_->RunScript(sql, vars), ""};
    } catch (const db::PgError& e) {
      return CommandResult{1, "", e.what()};
    }
  }
  Command command = Command::Argv(
      PsqlArgv(exec_, app_.database.user, MaintenanceDatabase(app_.database.name), vars));
  command.stdin_data = sql;
  command.read_only = read_only;
  return host_.Run(command);
}

bool DbHostSession::Drop(const std::string& database) const {
  try {
    return Sql({{"new", database}}, DropDatabaseSql()).ok();
  } catch (const remote::UnreachableError&) {
    throw;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> DbHostSession::Databases() const {
  const CommandResult r = Sql({}, "SELECT datname FROM pg_database ORDER BY 1;\n", true);
  if (!r.ok()) throw TaskError(WithStderr("cannot list the databases", r));
  return NonEmptyLines(r.out);
}

DbHostSession::AppContainers DbHostSession::FindAppContainers() const {
  AppContainers found;
  Command ps = Command::Argv({"docker", "ps", "--filter",
                              "label=com.docker.compose.project=" + ComposeProjectLabel(app_),
                              "--format", "{{.ID}} {{.Label \"com.docker.compose.service\"}}"});
  ps.read_only = true;
  const CommandResult r = host_.Run(ps);
  if (r.ok()) {
    for (const std::string& line : NonEmptyLines(r.out)) {
      const size_t space = line.find(' ');
      if (space == std::string::npos) continue;
      const std::string service = line.substr(space + 1);
      if (service == app_.database.service) continue;
      found.ids.push_back(line.substr(0, space));
      if (std::find(found.services.begin(), found.services.end(), service) ==
          found.services.end()) {
        found.services.push_back(service);
      }
    }
    return found;
  }
  // No docker CLI: ask compose for the services (all of them; stopping a
  // stopped one is harmless, and start brings back only what ran).
  std::vector<std::string> argv = compose_;
  argv.insert(argv.end(), {"ps", "--services", "--filter", "status=running"});
  Command command = Command::Argv(argv);
  command.read_only = true;
  const CommandResult listed = host_.Run(command);
  if (!listed.ok()) {
    throw TaskError(WithStderr("listing the running compose services failed", listed));
  }
  for (const std::string& line : NonEmptyLines(listed.out)) {
    if (line != app_.database.service) found.services.push_back(line);
  }
  return found;
}

CommandResult DbHostSession::StopOrStart(const AppContainers& containers,
                                         const std::string& verb) const {
  if (containers.empty()) return CommandResult{0, "", ""};
  std::vector<std::string> argv;
  if (!containers.ids.empty()) {
    argv = {"docker", verb};
    argv.insert(argv.end(), containers.ids.begin(), containers.ids.end());
  } else {
    argv = compose_;
    argv.push_back(verb);
    argv.insert(argv.end(), containers.services.begin(), containers.services.end());
  }
  return host_.Run(Command::Argv(argv));
}

std::string DbHostSession::StopAndSwap(const AppContainers& running, const std::string& live,
                                       const std::string& incoming, const std::string& before,
                                       bool restart_on_failure) const {
  if (!running.empty()) {
    const CommandResult r = StopOrStart(running, "stop");
    if (!r.ok()) {
      StopOrStart(running, "start");
      return WithStderr("stopping services failed", r);
    }
  }
  const CommandResult swap =
      Sql({{"live", live}, {"new", incoming}, {"before", before}}, SwapSql());
  if (swap.ok()) return "";
  const CommandResult allow = Sql({{"live", live}}, AllowConnectionsSql());
  if (restart_on_failure) StopOrStart(running, "start");
  std::string message = WithStderr("the swap failed", swap);
  if (!allow.ok()) {
    message += "; connections to '" + live +
               "' are still blocked: run ALTER DATABASE ... ALLOW_CONNECTIONS true";
  }
  return message;
}

}  // namespace deployctl
