// One app's deploy configuration: `apps.<name>` in the inventory variables,
// templated with the host's variables and validated. See PRODUCT.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/core/error.h"
#include "orchestrator/core/value.h"

namespace deployctl {

struct SourceConfig {
  std::string type = "dir";  // dir | archive | git
  std::string path;          // dir or archive on the controller (relative: to the working dir)
  std::string url;           // git
  std::string ref = "HEAD";  // git
};

struct ComposeConfig {
  std::string file = "docker-compose.yml";  // relative to the release
  std::string project;                      // default: the app name
};

struct DatabaseConfig {
  bool enabled = false;  // a `database:` section is present
  std::string service;   // compose service running PostgreSQL
  std::string name;      // database name
  std::string user = "postgres";
  std::string host;  // database.host: the inventory host for database steps ("" = default)
  int keep_backups = 5;
  // Automatic backups younger than this many days are kept too, whichever
  // of the two rules keeps more (0: no age rule).
  int keep_days = 0;
  int keep_safety_backups = 3;
  // Databases a restore replaced (`<db>__before_<ts>`) kept, newest first;
  // older ones are dropped only when their safety backup exists.
  int keep_replaced_databases = 1;
  int keep_manual_backups = 10;
  std::string backup_format = "custom";  // custom (.dump.zst/.dump.gz) | plain (.sql.gz)
  bool backup_required = true;
  std::string schema_revision_query;
};

struct MigrateConfig {
  bool enabled = false;
  std::string service;
  std::string command;  // run as sh -c in the service's container
};

struct HealthcheckConfig {
  bool enabled = false;
  std::string url;
  int timeout = 60;  // total seconds
};

struct TemplateSpec {
  std::string src;   // in the project's templates/
  std::string dest;  // relative to the release
};

struct AppConfig {
  std::string name;
  std::string hosts = "all";  // host pattern the app deploys to
  std::string root;           // absolute; releases/, current, shared/, backups/ live here
  int keep_releases = 5;
  SourceConfig source;
  std::vector<std::string> shared;  // entries ending in '/' are directories
  ComposeConfig compose;
  DatabaseConfig database;
  MigrateConfig migrate;
  HealthcheckConfig healthcheck;
  std::vector<TemplateSpec> templates;
  std::string auto_rollback = "full";  // full (code + database when migrations ran) | code

  // Paths on the server.
  std::string releases_dir() const { return root + "/releases"; }
  std::string release_dir(const std::string& id) const { return releases_dir() + "/" + id; }
  std::string current_link() const { return root + "/current"; }
  std::string shared_dir() const { return root + "/shared"; }
  std::string backups_dir() const { return root + "/backups"; }
  std::string meta_dir() const { return root + "/.deployctl"; }
  std::string lock_dir() const { return meta_dir() + "/lock"; }
  std::string journal_file() const { return meta_dir() + "/journal.json"; }
  std::string history_file() const { return meta_dir() + "/history.jsonl"; }
};

// App names reach paths and shell commands: [A-Za-z0-9][A-Za-z0-9._-]{0,63}.
bool IsValidAppName(const std::string& name);

// Release ids are UTC epoch seconds: digits only.
bool IsValidReleaseId(const std::string& id);

// Parses and validates `apps.<name>` (already templated for one host).
// `origin` names where the config came from (e.g. the inventory path) for
// messages: "<origin>: apps.myapp: missing required key 'root'". Throws
// ConfigError (exit 2) on any problem.
AppConfig ParseAppConfig(const std::string& name, const Value& config, const std::string& origin);

// The app `name` as one host sees it: vars["apps"][name] rendered with the
// host's variables, then parsed. The origin in messages is
// vars["deployctl_inventory"] when set. Throws ConfigError when the app is
// not defined (listing the defined ones) or its config is invalid.
AppConfig AppConfigForHost(const std::string& name, const Value& host_vars);

// The names of the apps defined in `vars` (a host's variables).
std::vector<std::string> AppNames(const Value& vars);

}  // namespace deployctl
