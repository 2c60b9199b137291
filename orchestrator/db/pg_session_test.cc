#include "orchestrator/db/pg_session.h"

#include <catch2/catch.hpp>

using namespace deployctl::db;

TEST_CASE("a psql script splits into statements and \\gexec queries", "[pg_session]") {
  const auto parts = SplitScript(
      "-- a comment\n"
      "ALTER DATABASE :\"live\" ALLOW_CONNECTIONS false;\n"
      "SELECT format('GRANT %s ON DATABASE %I TO x', p, :'new')\n"
      "  FROM t WHERE d = :'live' \\gexec\n"
      "BEGIN;\n"
      "COMMIT;\n");
  REQUIRE(parts.size() == 4);
  CHECK(parts[0].sql == "ALTER DATABASE :\"live\" ALLOW_CONNECTIONS false");
  CHECK_FALSE(parts[0].gexec);
  CHECK(parts[1].sql ==
        "SELECT format('GRANT %s ON DATABASE %I TO x', p, :'new')\n  FROM t WHERE d = :'live'");
  CHECK(parts[1].gexec);
  CHECK(parts[2].sql == "BEGIN");
  CHECK(parts[3].sql == "COMMIT");
}

TEST_CASE("psql variables are bound through the escapers, casts are left alone", "[pg_session]") {
  auto literal = [](const std::string& v) { return "L<" + v + ">"; };
  auto identifier = [](const std::string& v) { return "I<" + v + ">"; };
  CHECK(BindVariables("ALTER DATABASE :\"live\" RENAME TO :\"before\"; SELECT :'live', x::text",
                      {{"live", "a\"b"}, {"before", "c"}}, literal, identifier) ==
        "ALTER DATABASE I<a\"b> RENAME TO I<c>; SELECT L<a\"b>, x::text");
  CHECK_THROWS_WITH(BindVariables("SELECT :'nope'", {}, literal, identifier),
                    "SQL variable 'nope' is not set");
}

TEST_CASE("a connection that fails says why, without the password", "[pg_session]") {
  PgParams params;
  params.port = 1;  // nothing listens there
  params.user = "app";
  params.password = "pw-Secret-123";
  params.dbname = "postgres";
  params.connect_timeout_seconds = 2;
  try {
    PgSession session(params);
    FAIL("connected to port 1");
  } catch (const PgError& e) {
    CHECK_THAT(e.what(), Catch::Contains("127.0.0.1"));
    CHECK_THAT(e.what(), !Catch::Contains("pw-Secret-123"));
  }
}
