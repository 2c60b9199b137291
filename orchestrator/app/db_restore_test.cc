#include "orchestrator/app/db_restore.h"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace deployctl;
using Strings = std::vector<std::string>;

TEST_CASE("restore database names are dated beside the live one", "[db_restore]") {
  const RestoreNames names = RestoreNamesFor("shop", 1800000000);
  CHECK(names.live == "shop");
  CHECK(names.restored == "shop__restore_1800000000");
  CHECK(names.before == "shop__before_1800000000");
  CHECK(ScratchDatabaseName("shop", 1800000000) == "shop__verify_1800000000");
}

TEST_CASE("a restore name longer than PostgreSQL's 63 bytes is refused", "[db_restore]") {
  const std::string long_name(50, 'd');
  CHECK_THROWS_WITH(RestoreNamesFor(long_name, 1800000000),
                    Catch::Contains("longer than 63 bytes: choose a shorter database.name"));
  CHECK_NOTHROW(RestoreNamesFor(std::string(40, 'd'), 1800000000));
}

TEST_CASE("database-level statements never run in the database being renamed", "[db_restore]") {
  CHECK(MaintenanceDatabase("shop") == "postgres");
  CHECK(MaintenanceDatabase("postgres") == "template1");
}

TEST_CASE("psql gets names as variables, never in the SQL text", "[db_restore]") {
  const Strings exec = {"docker-compose", "-p", "shop", "exec", "-T", "postgres"};
  CHECK(PsqlArgv(exec, "app", "postgres", {{"live", "shop; DROP"}, {"new", "x"}}) ==
        Strings{"docker-compose",
                "-p",
                "shop",
                "exec",
                "-T",
                "postgres",
                "psql",
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                "app",
                "-d",
                "postgres",
                "-v",
                "live=shop; DROP",
                "-v",
                "new=x"});
  for (const std::string& sql : {ExistingDatabasesSql(), CreateDatabaseLikeSql(), DropDatabaseSql(),
                                 SwapSql(), AllowConnectionsSql()}) {
    CHECK(sql.find("shop") == std::string::npos);
  }
}

TEST_CASE("the swap blocks, terminates, then renames both in one transaction", "[db_restore]") {
  const std::string sql = SwapSql();
  const size_t block = sql.find("ALTER DATABASE :\"live\" ALLOW_CONNECTIONS false");
  const size_t terminate = sql.find("pg_terminate_backend(pid, 5000)");
  const size_t begin = sql.find("BEGIN;");
  const size_t rename_live = sql.find("ALTER DATABASE :\"live\" RENAME TO :\"before\";");
  const size_t rename_new = sql.find("ALTER DATABASE :\"new\" RENAME TO :\"live\";");
  const size_t commit = sql.find("COMMIT;");
  REQUIRE(block != std::string::npos);
  CHECK(block < terminate);
  CHECK(terminate < begin);
  CHECK(begin < rename_live);
  CHECK(rename_live < rename_new);
  CHECK(rename_new < commit);
  CHECK(DropDatabaseSql() == "DROP DATABASE IF EXISTS :\"new\" WITH (FORCE);\n");
}

TEST_CASE("the new database copies owner, locale, settings and grants of the live one",
          "[db_restore]") {
  const std::string sql = CreateDatabaseLikeSql();
  CHECK_THAT(sql, Catch::Contains("CREATE DATABASE %I WITH TEMPLATE template0 OWNER %I"));
  CHECK_THAT(sql, Catch::Contains("pg_db_role_setting"));
  CHECK_THAT(sql, Catch::Contains("ALTER ROLE %I IN DATABASE %I SET"));
  CHECK_THAT(sql, Catch::Contains("aclexplode(d.datacl)"));
  CHECK_THAT(sql, Catch::Contains("REVOKE ALL ON DATABASE %I FROM PUBLIC"));
  CHECK_THAT(sql, Catch::Contains("\\gexec"));
}

TEST_CASE("a custom archive is staged in the container and restored with pg_restore -j",
          "[db_restore]") {
  RestoreScriptSpec spec;
  spec.exec = {"docker-compose", "-p", "shop", "exec", "-T", "postgres"};
  spec.user = "app";
  spec.encoding = {"custom", "zstd"};
  spec.path = "/srv/shop/backups/db_backup_it's.dump.zst";
  spec.target = "shop__restore_1";
  spec.container_tmp = "/tmp/deployctl-restore-shop__restore_1.dump";
  const std::string s = BuildRestoreScript(spec);
  CHECK_THAT(s, Catch::Contains("f='/srv/shop/backups/db_backup_it'\\''s.dump.zst'\n"));
  CHECK_THAT(s, Catch::Contains("zstd -dc -q <\"$f\""));
  CHECK_THAT(s, Catch::Contains("docker-compose -p shop exec -T postgres sh -c "
                                "'umask 077 && cat >\"$1\"' sh "
                                "/tmp/deployctl-restore-shop__restore_1.dump"));
  CHECK_THAT(s, Catch::Contains("docker-compose -p shop exec -T postgres pg_restore -j 2 "
                                "--exit-on-error -U app -d shop__restore_1 "
                                "/tmp/deployctl-restore-shop__restore_1.dump </dev/null"));
  CHECK_THAT(s, Catch::Contains("fail pg_restore $?"));
  CHECK_THAT(s, Catch::Contains("psql -X -q -v ON_ERROR_STOP=1 -U app -d shop__restore_1 -c "
                                "ANALYZE"));
  CHECK_THAT(s, Catch::Contains("cleanup() { docker-compose -p shop exec -T postgres rm -f -- "
                                "/tmp/deployctl-restore-shop__restore_1.dump"));
  CHECK_THAT(s, Catch::Contains("trap cleanup EXIT"));
  CHECK_THAT(s, Catch::EndsWith("echo restored=shop__restore_1\n"));
  // The stage is checked before the decompressor (which dies of SIGPIPE when the stage fails).
  CHECK(s.find("rc stage") < s.find("rc decompress"));
}

TEST_CASE("a plain dump is piped through psql with ON_ERROR_STOP", "[db_restore]") {
  RestoreScriptSpec spec;
  spec.exec = {"docker", "compose", "exec", "-T", "db"};
  spec.user = "app";
  spec.encoding = {"plain", "gzip"};
  spec.path = "/srv/shop/backups/db_backup_v1.sql.gz";
  spec.target = "shop__restore_1";
  const std::string s = BuildRestoreScript(spec);
  CHECK_THAT(s, Catch::Contains("{ gzip -dc <\"$f\" 2>\"$st/decompress.err\"; echo $? "
                                ">\"$st/decompress.rc\"; } |\n  { docker compose exec -T db psql "
                                "-X -q -v ON_ERROR_STOP=1 -U app -d shop__restore_1 >/dev/null"));
  CHECK(s.find("pg_restore") == std::string::npos);
  CHECK(s.find("cat >") == std::string::npos);
}

TEST_CASE("row counts are compared table by table", "[db_restore]") {
  CHECK(CompareRowCounts({{"public.a", 3}, {"public.b", 0}}, {{"public.a", 3}, {"public.b", 0}})
            .empty());
  CHECK(CompareRowCounts({{"public.a", 3}, {"public.b", 1}}, {{"public.a", 2}, {"public.c", 5}}) ==
        Strings{"public.a: 3 rows in the backup, 2 restored",
                "public.b: 1 rows in the backup, table missing after the restore",
                "public.c: not in the backup's manifest, 5 rows restored"});
}
