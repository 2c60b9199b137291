#include "orchestrator/app/schema_revision.h"

#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/compose_cli.h"
#include "orchestrator/app/service_status.h"
#include "orchestrator/app/wait_until.h"
#include "orchestrator/core/error.h"

namespace deployctl {

using remote::Command;
using remote::CommandResult;

std::optional<std::string> ParseSchemaRevision(std::string_view output) {
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    const std::string_view line = output.substr(start, end - start);
    start = end + 1;
    if (!line.starts_with("{")) continue;
    const Value json = Value::parse(line, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("schema_revision")) continue;
    if (!json["schema_revision"].is_string()) return std::nullopt;
    return json["schema_revision"].get<std::string>();
  }
  return std::nullopt;
}

SchemaReading ReadSchemaRevision(remote::Transport& host, const AppConfig& app,
                                 const std::string& release_id, long long wait_timeout,
                                 bool check_mode) {
  SchemaReading reading;
  const std::string dir = app.release_dir(release_id);
  const DatabaseConfig& db = app.database;
  if (!host.Stat(dir).is_dir) {
    if (!check_mode) {
      throw TaskError("release directory " + dir + " does not exist on " + host.host());
    }
    reading.planned = true;
    reading.message =
        "would read the schema revision of database '" + db.name + "' in release " + release_id;
    return reading;
  }
  const std::vector<std::string> compose = ComposeArgvOnHost(host, app, dir);

  std::vector<std::string> argv = {"sh", "-c", WaitUntilSucceedsScript(), "deployctl-wait",
                                   std::to_string(wait_timeout)};
  argv.insert(argv.end(), compose.begin(), compose.end());
  argv.insert(argv.end(), {"exec", "-T", db.service, "pg_isready", "-U", db.user, "-d", db.name});
  Command wait = Command::Argv(std::move(argv));
  wait.cwd = dir;
  wait.timeout_seconds = static_cast<int>(wait_timeout) + 60;
  wait.read_only = true;
  const CommandResult waited = host.Run(wait);
  if (!waited.ok()) {
    reading.error = "database service '" + db.service + "' of " + app.name +
                    " did not accept connections within " + std::to_string(wait_timeout) +
                    " s on " + host.host() + ", so its schema revision cannot be read" +
                    (LastLines(waited.err, 3).empty() ? "" : ": " + LastLines(waited.err, 3));
    reading.message = reading.error;
    return reading;
  }

  argv = compose;
  argv.insert(argv.end(), {"exec", "-T", db.service, "psql", "-X", "-q", "-A", "-t", "-v",
                           "ON_ERROR_STOP=1", "-U", db.user, "-d", db.name});
  Command read = Command::Argv(std::move(argv));
  read.cwd = dir;
  read.stdin_data = SchemaRevisionSql(db);
  read.timeout_seconds = 120;
  read.read_only = true;
  const CommandResult ran = host.Run(read);
  if (!ran.ok()) {
    const std::string why = LastLines(ran.err.empty() ? ran.out : ran.err, 5);
    reading.error = "reading the schema revision of database '" + db.name + "' (service '" +
                    db.service + "') failed on " + host.host() + " (exit " +
                    std::to_string(ran.exit_status) + ")" + (why.empty() ? "" : ": " + why);
    reading.message = reading.error;
    return reading;
  }
  reading.revision = ParseSchemaRevision(ran.out);
  if (!reading.revision) {
    reading.error = "no schema revision in psql's answer on " + host.host() +
                    (db.schema_revision_query.empty()
                         ? ""
                         : " (does apps." + app.name +
                               ".database.schema_revision_query return a row with a value?)");
    reading.message = reading.error;
    return reading;
  }
  reading.message = "schema revision of database '" + db.name + "': " + *reading.revision;
  return reading;
}

}  // namespace deployctl
