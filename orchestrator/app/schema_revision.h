// Reading the schema revision of the app's PostgreSQL database as it is now
// (what a revision is: backup_metadata.h, SchemaRevisionSql). The deploy
// records it per release; the rollback compares the two.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orchestrator/app/app_config.h"
#include "remote/transport.h"

namespace deployctl {

struct SchemaReading {
  std::optional<std::string> revision;  // read
  std::string error;                    // why not (empty when read or only planned)
  bool planned = false;                 // --check and the release does not exist yet
  std::string message;                  // ready for the user
};

// In the compose project of `release_id` on `host` (the database host):
// waits up to `wait_timeout` seconds for `pg_isready`, then runs psql with
// SchemaRevisionSql. Both only read, so they run in --check too; in
// --check a release that does not exist yet is not read (`planned`).
// Throws TaskError when the release directory is missing (not in --check)
// or the host has no compose; UnreachableError when the host is lost.
SchemaReading ReadSchemaRevision(remote::Transport& host, const AppConfig& app,
                                 const std::string& release_id, long long wait_timeout,
                                 bool check_mode);

// The revision in the output of psql running SchemaRevisionSql: the value
// of the line {"schema_revision": "..."}. nullopt when there is no such
// line or its value is not a string (a revision query that returned NULL).
std::optional<std::string> ParseSchemaRevision(std::string_view psql_output);

}  // namespace deployctl
