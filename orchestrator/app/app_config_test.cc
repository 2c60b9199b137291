// `apps.<name>`: every key, its default, and the message for each mistake.
#include "orchestrator/app/app_config.h"

#include <catch2/catch.hpp>

using deployctl::AppConfig;
using deployctl::ConfigError;
using deployctl::ParseAppConfig;
using deployctl::Value;

namespace {

const Value kMinimal = {{"root", "/srv/myapp"}, {"source", {{"path", "./build"}}}};

AppConfig Parse(const Value& config, const std::string& name = "myapp") {
  return ParseAppConfig(name, config, "hosts.yml");
}

// `config` with `key` set to `value` (a dotted path: "database.keep_backups").
Value With(Value config, const std::string& key, const Value& value) {
  Value* at = &config;
  std::string rest = key;
  for (size_t dot; (dot = rest.find('.')) != std::string::npos; rest = rest.substr(dot + 1)) {
    at = &(*at)[rest.substr(0, dot)];
  }
  (*at)[rest] = value;
  return config;
}

const Value kDatabase = {{"service", "postgres"}, {"name", "myapp"}};

// The message ParseAppConfig throws for `config`.
std::string ErrorOf(const Value& config, const std::string& name = "myapp") {
  try {
    Parse(config, name);
  } catch (const ConfigError& e) {
    CHECK(e.code() == deployctl::ExitCode::kUsage);
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a minimal app gets every default", "[app_config]") {
  const AppConfig app = Parse(kMinimal);
  CHECK(app.name == "myapp");
  CHECK(app.root == "/srv/myapp");
  CHECK(app.hosts == "all");
  CHECK(app.keep_releases == 5);
  CHECK(app.source.type == "dir");
  CHECK(app.source.path == "./build");
  CHECK(app.shared.empty());
  CHECK(app.compose.file == "docker-compose.yml");
  CHECK(app.compose.project == "myapp");
  CHECK_FALSE(app.database.enabled);
  CHECK_FALSE(app.migrate.enabled);
  CHECK_FALSE(app.healthcheck.enabled);
  CHECK(app.templates.empty());
  CHECK(app.auto_rollback == "full");
  CHECK(app.current_link() == "/srv/myapp/current");
  CHECK(app.release_dir("100") == "/srv/myapp/releases/100");
  CHECK(app.journal_file() == "/srv/myapp/.deployctl/journal.json");
  CHECK(app.lock_dir() == "/srv/myapp/.deployctl/lock");
  CHECK(app.history_file() == "/srv/myapp/.deployctl/history.jsonl");
  CHECK(app.backups_dir() == "/srv/myapp/backups");
  CHECK(app.shared_dir() == "/srv/myapp/shared");
}

TEST_CASE("every key of a full app is read", "[app_config]") {
  const Value config = Value::parse(R"({
    "root": "/opt/myapp/", "hosts": "web", "keep_releases": "7",
    "source": {"type": "git", "url": "https://example.com/app.git", "ref": "v2"},
    "shared": [".env", "storage/"],
    "compose": {"file": "deploy/compose.yml", "project": "shop"},
    "database": {"service": "db", "name": "shop", "user": "app", "host": "db1",
                 "keep_backups": 3, "keep_safety_backups": 2, "keep_manual_backups": 4,
                 "keep_replaced_databases": 0, "backup_format": "plain",
                 "backup_required": "no", "schema_revision_query": "select 1"},
    "migrate": {"service": "app", "command": "alembic upgrade head"},
    "healthcheck": {"url": "http://127.0.0.1:8080/health", "timeout": 5},
    "templates": [{"src": "env.j2", "dest": ".env.local"}],
    "auto_rollback": "code"})");
  const AppConfig app = Parse(config);
  CHECK(app.root == "/opt/myapp");  // trailing slash dropped
  CHECK(app.hosts == "web");
  CHECK(app.keep_releases == 7);
  CHECK(app.source.type == "git");
  CHECK(app.source.url == "https://example.com/app.git");
  CHECK(app.source.ref == "v2");
  CHECK(app.shared == std::vector<std::string>{".env", "storage/"});
  CHECK(app.compose.file == "deploy/compose.yml");
  CHECK(app.compose.project == "shop");
  CHECK(app.database.enabled);
  CHECK(app.database.service == "db");
  CHECK(app.database.name == "shop");
  CHECK(app.database.user == "app");
  CHECK(app.database.host == "db1");
  CHECK(app.database.keep_backups == 3);
  CHECK(app.database.keep_safety_backups == 2);
  CHECK(app.database.keep_manual_backups == 4);
  CHECK(app.database.keep_replaced_databases == 0);
  CHECK(app.database.backup_format == "plain");
  CHECK_FALSE(app.database.backup_required);
  CHECK(app.database.schema_revision_query == "select 1");
  CHECK(app.migrate.enabled);
  CHECK(app.migrate.service == "app");
  CHECK(app.migrate.command == "alembic upgrade head");
  CHECK(app.healthcheck.enabled);
  CHECK(app.healthcheck.url == "http://127.0.0.1:8080/health");
  CHECK(app.healthcheck.timeout == 5);
  REQUIRE(app.templates.size() == 1);
  CHECK(app.templates[0].src == "env.j2");
  CHECK(app.templates[0].dest == ".env.local");
  CHECK(app.auto_rollback == "code");
}

TEST_CASE("database defaults", "[app_config]") {
  const AppConfig app = Parse(With(kMinimal, "database", kDatabase));
  CHECK(app.database.user == "postgres");
  CHECK(app.database.host.empty());
  CHECK(app.database.keep_backups == 5);
  CHECK(app.database.keep_safety_backups == 3);
  CHECK(app.database.keep_manual_backups == 10);
  CHECK(app.database.keep_replaced_databases == 1);
  CHECK(app.database.backup_format == "custom");
  CHECK(app.database.backup_required);
  CHECK(Parse(With(kMinimal, "healthcheck", {{"url", "https://x/h"}})).healthcheck.timeout == 60);
  CHECK(Parse(With(kMinimal, "source", {{"type", "git"}, {"url", "u"}})).source.ref == "HEAD");
}

TEST_CASE("structural mistakes are refused with the key's path", "[app_config]") {
  CHECK(ErrorOf("x") == "hosts.yml: apps.myapp: must be a mapping");
  CHECK(ErrorOf(Value{{"source", {{"path", "."}}}}) ==
        "hosts.yml: apps.myapp: missing required key 'root'");
  CHECK(ErrorOf(Value{{"root", "/srv/x"}}) ==
        "hosts.yml: apps.myapp: missing required key 'source'");
  CHECK(ErrorOf(With(kMinimal, "keep_release", 3)) ==
        "hosts.yml: apps.myapp.keep_release: unknown key (did you mean 'keep_releases'?)");
  CHECK(ErrorOf(With(kMinimal, "source.typ", "git")) ==
        "hosts.yml: apps.myapp.source.typ: unknown key (did you mean 'type'?)");
  CHECK(ErrorOf(With(kMinimal, "compose", "docker-compose.yml")) ==
        "hosts.yml: apps.myapp.compose: must be a mapping");
  CHECK(ErrorOf(kMinimal, "my app") ==
        "hosts.yml: apps.my app: app names may use letters, digits, '.', '_' and '-' (at most 64, "
        "no '..')");
  CHECK(ErrorOf(kMinimal, "a..b") ==
        "hosts.yml: apps.a..b: app names may use letters, digits, '.', '_' and '-' (at most 64, no "
        "'..')");
}

TEST_CASE("root must be a safe absolute path", "[app_config]") {
  for (const char* bad :
       {"srv/myapp", "/", "/srv/../etc", "/srv/x/..", "/srv/my app", "/srv/$(reboot)"}) {
    INFO(bad);
    CHECK(ErrorOf(With(kMinimal, "root", bad)) ==
          "hosts.yml: apps.myapp.root: '" + std::string(bad) +
              "' must be an absolute path of letters, digits and ._/+@:- (not '/', no '..')");
  }
  CHECK(ErrorOf(With(kMinimal, "root", {"/srv"})) ==
        "hosts.yml: apps.myapp.root: must be a string");
}

TEST_CASE("integers: type and minimum are checked", "[app_config]") {
  CHECK(ErrorOf(With(kMinimal, "keep_releases", 1)) ==
        "hosts.yml: apps.myapp.keep_releases: must be at least 2");
  CHECK(ErrorOf(With(kMinimal, "keep_releases", "many")) ==
        "hosts.yml: apps.myapp.keep_releases: must be an integer");
  CHECK(ErrorOf(With(kMinimal, "keep_releases", true)) ==
        "hosts.yml: apps.myapp.keep_releases: must be an integer");
  CHECK(ErrorOf(With(kMinimal, "keep_releases", 2.5)) ==
        "hosts.yml: apps.myapp.keep_releases: must be an integer");
  const Value db = With(kMinimal, "database", kDatabase);
  CHECK(ErrorOf(With(db, "database.keep_backups", 0)) ==
        "hosts.yml: apps.myapp.database.keep_backups: must be at least 1");
  CHECK(ErrorOf(With(db, "database.keep_safety_backups", 0)) ==
        "hosts.yml: apps.myapp.database.keep_safety_backups: must be at least 1");
  CHECK(ErrorOf(With(db, "database.keep_manual_backups", 0)) ==
        "hosts.yml: apps.myapp.database.keep_manual_backups: must be at least 1");
  CHECK(ErrorOf(With(db, "database.keep_replaced_databases", -1)) ==
        "hosts.yml: apps.myapp.database.keep_replaced_databases: must be at least 0");
  CHECK(ErrorOf(With(kMinimal, "healthcheck", {{"url", "http://x/"}, {"timeout", 0}})) ==
        "hosts.yml: apps.myapp.healthcheck.timeout: must be at least 1");
}

TEST_CASE("source: type and the keys each type needs", "[app_config]") {
  CHECK(ErrorOf(With(kMinimal, "source", {{"type", "svn"}})) ==
        "hosts.yml: apps.myapp.source.type: must be dir, archive or git, got 'svn'");
  CHECK(ErrorOf(With(kMinimal, "source", {{"type", "archive"}})) ==
        "hosts.yml: apps.myapp.source: missing required key 'path'");
  CHECK(ErrorOf(With(kMinimal, "source", {{"type", "git"}})) ==
        "hosts.yml: apps.myapp.source: missing required key 'url'");
  CHECK(ErrorOf(With(kMinimal, "source", {{"path", {"a"}}})) ==
        "hosts.yml: apps.myapp.source.path: must be a string");
}

TEST_CASE("shared, compose file and template dest stay inside the release", "[app_config]") {
  CHECK(ErrorOf(With(kMinimal, "shared", ".env")) ==
        "hosts.yml: apps.myapp.shared: must be a list of paths");
  CHECK(ErrorOf(With(kMinimal, "shared", {1})) ==
        "hosts.yml: apps.myapp.shared: must be a list of paths");
  for (const char* bad : {"../etc", "/etc/passwd", "a/../../b/"}) {
    INFO(bad);
    std::string shown = bad;
    if (shown.ends_with('/')) shown.pop_back();
    CHECK(ErrorOf(With(kMinimal, "shared", {bad})) ==
          "hosts.yml: apps.myapp.shared: '" + shown +
              "' must be a relative path inside the release, without '..'");
  }
  CHECK(ErrorOf(With(kMinimal, "compose", {{"file", "/etc/compose.yml"}})) ==
        "hosts.yml: apps.myapp.compose.file: '/etc/compose.yml' must be a relative path inside "
        "the release, without '..'");
  CHECK(ErrorOf(With(kMinimal, "compose", {{"project", "My_App"}})) ==
        "hosts.yml: apps.myapp.compose.project: 'My_App' must be lowercase letters, digits, '_' "
        "and '-' (compose's rule)");
  CHECK(ErrorOf(With(kMinimal, "templates", {{{"src", "a.j2"}, {"dest", "../a"}}})) ==
        "hosts.yml: apps.myapp.templates.dest: '../a' must be a relative path inside the "
        "release, without '..'");
  CHECK(ErrorOf(With(kMinimal, "templates", {{{"src", "a.j2"}}})) ==
        "hosts.yml: apps.myapp.templates: missing required key 'dest'");
  CHECK(ErrorOf(With(kMinimal, "templates", {"a.j2"})) ==
        "hosts.yml: apps.myapp.templates: must be a list of {src, dest}");
  CHECK_THAT(
      ErrorOf(With(kMinimal, "templates", {{{"src", "a"}, {"dest", "b"}, {"mode", "0600"}}})),
      Catch::StartsWith("hosts.yml: apps.myapp.templates.mode: unknown key"));
}

TEST_CASE("database: required keys, names, format and booleans", "[app_config]") {
  CHECK(ErrorOf(With(kMinimal, "database", {{"service", "postgres"}})) ==
        "hosts.yml: apps.myapp.database: missing required key 'name'");
  CHECK(ErrorOf(With(kMinimal, "database", {{"name", "x"}})) ==
        "hosts.yml: apps.myapp.database: missing required key 'service'");
  const Value db = With(kMinimal, "database", kDatabase);
  CHECK(ErrorOf(With(db, "database.name", "shop; drop")) ==
        "hosts.yml: apps.myapp.database.name: 'shop; drop' is not a valid name");
  CHECK(ErrorOf(With(db, "database.user", "-U")) ==
        "hosts.yml: apps.myapp.database.user: '-U' is not a valid name");
  CHECK(ErrorOf(With(db, "database.backup_format", "tar")) ==
        "hosts.yml: apps.myapp.database.backup_format: must be custom or plain, got 'tar'");
  CHECK(ErrorOf(With(db, "database.backup_required", "maybe")) ==
        "hosts.yml: apps.myapp.database.backup_required: must be true or false");
  CHECK(ErrorOf(With(db, "database.keep_backup", 3)) ==
        "hosts.yml: apps.myapp.database.keep_backup: unknown key (did you mean "
        "'keep_backups'?)");
  for (const auto& [text, want] : {std::pair{"yes", true},
                                   {"true", true},
                                   {"True", true},
                                   {"no", false},
                                   {"false", false},
                                   {"False", false}}) {
    INFO(text);
    CHECK(Parse(With(db, "database.backup_required", text)).database.backup_required == want);
  }
}

TEST_CASE("migrate, healthcheck and auto_rollback", "[app_config]") {
  CHECK(ErrorOf(With(kMinimal, "migrate", {{"service", "app"}})) ==
        "hosts.yml: apps.myapp.migrate: missing required key 'command'");
  CHECK(ErrorOf(With(kMinimal, "healthcheck", {{"timeout", 5}})) ==
        "hosts.yml: apps.myapp.healthcheck: missing required key 'url'");
  CHECK(ErrorOf(With(kMinimal, "healthcheck", {{"url", "ftp://x/"}})) ==
        "hosts.yml: apps.myapp.healthcheck.url: 'ftp://x/' must be an http:// or https:// URL");
  CHECK(ErrorOf(With(kMinimal, "healthcheck", {{"url", "http://x/ ; reboot"}})) ==
        "hosts.yml: apps.myapp.healthcheck.url: 'http://x/ ; reboot' must be an http:// or "
        "https:// URL");
  CHECK(ErrorOf(With(kMinimal, "auto_rollback", "never")) ==
        "hosts.yml: apps.myapp.auto_rollback: must be full or code, got 'never'");
}

TEST_CASE("AppConfigForHost templates the app with the host's variables", "[app_config]") {
  const Value vars = {
      {"inventory_hostname", "web1"},
      {"base", "/srv"},
      {"deployctl_inventory", "inv/hosts.yml"},
      {"apps",
       {{"myapp",
         {{"root", "{{ base }}/myapp"}, {"source", {{"path", "{{ inventory_hostname }}"}}}}},
        {"other", {{"root", "/srv/other"}, {"source", {{"path", "."}}}}}}}};
  const AppConfig app = deployctl::AppConfigForHost("myapp", vars);
  CHECK(app.root == "/srv/myapp");
  CHECK(app.source.path == "web1");
  CHECK(deployctl::AppNames(vars) == std::vector<std::string>{"myapp", "other"});
  CHECK_THROWS_MATCHES(deployctl::AppConfigForHost("myap", vars), ConfigError,
                       Catch::Message("inv/hosts.yml: unknown app 'myap' (did you mean 'myapp'?); "
                                      "defined apps: myapp, other"));
  CHECK_THROWS_MATCHES(deployctl::AppConfigForHost("x", Value::object()), ConfigError,
                       Catch::Message("inventory: unknown app 'x'; no apps are defined (apps: in "
                                      "group_vars/all.yml)"));
  Value broken = vars;
  broken["apps"]["myapp"]["root"] = "{{ nope }}";
  try {
    deployctl::AppConfigForHost("myapp", broken);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("inv/hosts.yml: apps.myapp"));
    CHECK_THAT(e.what(), Catch::Contains("nope"));
  }
}

// Regression: the default compose project was the app name as it is, held
// to compose's rule: an app called "Shop" or "my.app" (valid app names) was
// refused with an error about a compose.project it never set, even with no
// compose section at all.
TEST_CASE("an app whose name has capitals or dots needs no compose.project", "[app_config]") {
  CHECK(Parse(kMinimal, "Shop").compose.project == "shop");
  CHECK(Parse(kMinimal, "my.app").compose.project == "myapp");
}

// Regression: PRODUCT.md's app configuration has `database.keep_days: 7`
// ("also keep backups younger than this, whichever keeps more"); deployctl
// refused the key, and retention had no age rule.
TEST_CASE("database.keep_days from PRODUCT.md is accepted", "[app_config]") {
  const Value db = With(kMinimal, "database", kDatabase);
  CHECK(Parse(With(db, "database.keep_days", 7)).database.keep_days == 7);
  CHECK(Parse(db).database.keep_days == 0);
  CHECK_THROWS(Parse(With(db, "database.keep_days", -1)));
}

// Regression: an integer key written as a string of too many digits
// escaped as std::out_of_range ("stoi") instead of a ConfigError naming the
// key, and a YAML integer beyond int was narrowed silently (4294967298 read
// as 2, so retention would have kept 2 releases).
TEST_CASE("an integer too large for its key is a config error naming the key", "[app_config]") {
  for (const Value& big : {Value("99999999999"), Value(4294967298LL), Value(2147483648LL),
                           Value("99999999999999999999999"), Value(18446744073709551615ULL)}) {
    INFO(big.dump());
    CHECK(ErrorOf(With(kMinimal, "keep_releases", big)) ==
          "hosts.yml: apps.myapp.keep_releases: must be at most 2147483647");
  }
  CHECK(Parse(With(kMinimal, "keep_releases", 2147483647)).keep_releases == 2147483647);
  CHECK(ErrorOf(With(kMinimal, "keep_releases", -4294967294LL)) ==
        "hosts.yml: apps.myapp.keep_releases: must be at least 2");
}
