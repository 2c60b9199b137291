#include "orchestrator/app/backup_metadata.h"

#include <catch2/catch.hpp>

using namespace deployctl;

namespace {

DatabaseConfig Db() {
  DatabaseConfig db;
  db.enabled = true;
  db.service = "postgres";
  db.name = "shop";
  db.user = "app";
  return db;
}

}  // namespace

TEST_CASE("MetadataSql is one transaction: BEGIN, the queries, COMMIT", "[backup_metadata]") {
  const DatabaseConfig db = Db();
  const std::string sql = MetadataSql(db);
  CHECK(sql == "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n" + MetadataQueriesSql(db) +
                   "COMMIT;\n");
  CHECK_THAT(sql, Catch::Contains("current_setting('server_version')"));
  CHECK_THAT(sql, Catch::Contains("count(*)"));
  CHECK_THAT(sql, Catch::Contains("\\gexec"));
}

TEST_CASE("the backup's metadata session exports its snapshot, then sends the queries alone",
          "[backup_metadata]") {
  const DatabaseConfig db = Db();
  CHECK(MetadataExportSnapshotSql() ==
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n"
        "SELECT json_build_object('snapshot', pg_export_snapshot());\n");
  const std::string queries = MetadataQueriesSql(db);
  CHECK(queries.find("BEGIN") == std::string::npos);
  CHECK(queries.find("COMMIT") == std::string::npos);
  CHECK(queries.find("pg_export_snapshot") == std::string::npos);
  CHECK(queries.starts_with("SELECT json_build_object('server_version'"));

  DatabaseConfig custom = db;
  custom.schema_revision_query = "SELECT rev FROM schema_info;";
  CHECK_THAT(MetadataQueriesSql(custom), Catch::Contains("SELECT rev FROM schema_info\n"));
}

TEST_CASE("ParseMetadata reads the backup's output, snapshot line included", "[backup_metadata]") {
  const std::string out =
      "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"
      "{\"snapshot\" : \"00000003-00000019-1\"}\n"
      "{\"server_version\" : \"15.18 (Debian 15.18-0+deb12u1)\"}\n"
      "{\"schema_revision\" : \"ae1027a6acf\"}\n"
      "{\"table\" : \"public.events\", \"rows\" : 300506}\n"
      "{\"table\" : \"public.quiet\", \"rows\" : 0}\n";
  const DatabaseMetadata meta = ParseMetadata(out);
  CHECK(meta.pg_dump_version == "15.18");
  CHECK(meta.server_version == "15.18");
  CHECK(meta.schema_revision == "ae1027a6acf");
  CHECK(meta.tables ==
        std::map<std::string, long long>{{"public.events", 300506}, {"public.quiet", 0}});
}

TEST_CASE("MetadataCommand prints pg_dump's version, then runs psql with the names as arguments",
          "[backup_metadata]") {
  DatabaseConfig db = Db();
  db.name = "sh'op";
  const std::vector<std::string> argv = MetadataCommand(db);
  REQUIRE(argv.size() == 6);
  CHECK(argv[0] == "sh");
  CHECK(argv[2].starts_with("pg_dump --version && exec psql"));
  CHECK(argv[4] == "app");
  CHECK(argv[5] == "sh'op");
}
