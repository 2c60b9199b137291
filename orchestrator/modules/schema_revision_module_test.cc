#include "orchestrator/modules/schema_revision_module.h"

#include <catch2/catch.hpp>

#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/schema_revision.h"
#include "orchestrator/app/wait_until.h"
#include "orchestrator/modules/module_test_util.h"

using deployctl::ParseSchemaRevision;
using deployctl::SchemaRevisionModule;
using deployctl::Value;
using deployctl::testing::ModuleHarness;
using Strings = std::vector<std::string>;

namespace {

const std::string kDir = "/srv/myapp/releases/1700000000";
const Strings kCompose = {"docker-compose",      "-p", "myapp", "-f", kDir + "/docker-compose.yml",
                          "--project-directory", kDir};

ModuleHarness Host(bool database = true) {
  ModuleHarness h;
  Value app = {{"root", "/srv/myapp"}, {"source", {{"type", "dir"}, {"path", "./build"}}}};
  if (database) app["database"] = {{"service", "postgres"}, {"name", "my$app"}, {"user", "app"}};
  h.vars = {{"apps", {{"myapp", app}}}};
  h.host.AddDir(kDir);
  h.host.AddLink("/srv/myapp/current", "releases/1700000000");
  h.host.OnCommand("docker compose version", {0, "v1\n", ""});
  return h;
}

}  // namespace

TEST_CASE("ParseSchemaRevision reads psql's JSON line", "[modules][schema_revision]") {
  CHECK(ParseSchemaRevision("{\"schema_revision\" : \"ae1027a6acf\"}\n") == "ae1027a6acf");
  CHECK(ParseSchemaRevision("notice\n{\"schema_revision\" : \"md5:0a\"}") == "md5:0a");
  CHECK_FALSE(ParseSchemaRevision("{\"schema_revision\" : null}\n"));
  CHECK_FALSE(ParseSchemaRevision(""));
  CHECK_FALSE(ParseSchemaRevision("{not json\n"));
}

TEST_CASE("schema_revision waits for the database, then reads it with psql in the container",
          "[modules][schema_revision]") {
  ModuleHarness h = Host();
  h.host.OnCommand("deployctl-wait", {0, "attempts=1\nelapsed=0\n", ""});
  h.host.OnCommand("exec -T postgres psql", {0, "{\"schema_revision\" : \"md5:abc\"}\n", ""});
  auto r = h.Run(SchemaRevisionModule(), {{"app", "myapp"}});
  INFO(r.msg);
  CHECK_FALSE(r.failed);
  CHECK_FALSE(r.changed);
  CHECK(r.data ==
        Value{{"release", "1700000000"}, {"schema_revision", "md5:abc"}, {"skipped", false}});
  CHECK(r.msg == "schema revision of database 'my$app': md5:abc");
  REQUIRE(h.host.runs().size() == 3);  // detect, wait, psql

  Strings wait = {"sh", "-c", deployctl::WaitUntilSucceedsScript(), "deployctl-wait", "60"};
  wait.insert(wait.end(), kCompose.begin(), kCompose.end());
  wait.insert(wait.end(), {"exec", "-T", "postgres", "pg_isready", "-U", "app", "-d", "my$app"});
  CHECK(h.host.runs()[1].argv == wait);
  CHECK(h.host.runs()[1].read_only);

  Strings psql = kCompose;
  psql.insert(psql.end(), {"exec", "-T", "postgres", "psql", "-X", "-q", "-A", "-t", "-v",
                           "ON_ERROR_STOP=1", "-U", "app", "-d", "my$app"});
  const auto& read = h.host.runs()[2];
  CHECK(read.argv == psql);
  CHECK(read.cwd == kDir);
  CHECK(read.read_only);
  REQUIRE(read.stdin_data);
  CHECK(*read.stdin_data == deployctl::SchemaRevisionSql(deployctl::DatabaseConfig{}));
  // The name is quoted as one word: $ stays literal.
  CHECK(h.host.commands()[2].find("-d 'my$app'") != std::string::npos);
}

TEST_CASE("schema_revision runs in --check too: it only reads", "[modules][schema_revision]") {
  ModuleHarness h = Host();
  h.host.OnCommand("exec -T postgres psql", {0, "{\"schema_revision\" : \"base\"}\n", ""});
  auto r = h.Check(SchemaRevisionModule(), {{"app", "myapp"}, {"release_id", "1700000000"}});
  CHECK_FALSE(r.failed);
  CHECK(r.data["schema_revision"] == "base");
  CHECK(h.plan.empty());

  // A deploy's new release does not exist in --check: nothing to read.
  r = h.Check(SchemaRevisionModule(), {{"app", "myapp"}, {"release_id", "1700000999"}});
  CHECK_FALSE(r.failed);
  CHECK(r.data["schema_revision"].is_null());
  CHECK(r.msg == "would read the schema revision of database 'my$app' in release 1700000999");
}

TEST_CASE("schema_revision reports a database that does not answer", "[modules][schema_revision]") {
  ModuleHarness h = Host();
  h.host.OnCommand("deployctl-wait", {1, "attempts=3\n", "no response\n"});
  auto r = h.Run(SchemaRevisionModule(), {{"app", "myapp"}, {"wait_timeout", 2}});
  CHECK(r.failed);
  CHECK(r.msg ==
        "database service 'postgres' of myapp did not accept connections within 2 s on web01, "
        "so its schema revision cannot be read: no response");

  ModuleHarness h2 = Host();
  h2.host.OnCommand("exec -T postgres psql", {2, "", "psql: error: FATAL\n"});
  r = h2.Run(SchemaRevisionModule(), {{"app", "myapp"}});
  CHECK(r.failed);
  CHECK(r.msg ==
        "reading the schema revision of database 'my$app' (service 'postgres') failed on web01 "
        "(exit 2): psql: error: FATAL");

  ModuleHarness h3 = Host();
  h3.host.OnCommand("exec -T postgres psql", {0, "{\"schema_revision\" : null}\n", ""});
  r = h3.Run(SchemaRevisionModule(), {{"app", "myapp"}});
  CHECK(r.failed);
  CHECK(r.msg == "no schema revision in psql's answer on web01");
}

TEST_CASE("schema_revision without a database section is skipped", "[modules][schema_revision]") {
  ModuleHarness h = Host(false);
  auto r = h.Run(SchemaRevisionModule(), {{"app", "myapp"}});
  CHECK_FALSE(r.failed);
  CHECK(r.data["skipped"] == true);
  CHECK(r.data["schema_revision"].is_null());
  CHECK(h.host.commands().empty());
}
