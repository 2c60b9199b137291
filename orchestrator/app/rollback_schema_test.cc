#include "orchestrator/app/rollback_schema.h"

#include <catch2/catch.hpp>

using deployctl::JudgeRollbackSchema;
using deployctl::RollbackSchemaFacts;

namespace {

RollbackSchemaFacts Facts() {
  RollbackSchemaFacts facts;
  facts.app = "shop";
  facts.target = "1700000100";
  facts.recorded = "md5:aa";
  facts.now = "md5:aa";
  facts.backup = "db_backup_1700000200.dump.zst";
  return facts;
}

}  // namespace

TEST_CASE("rollback schema: the same revision goes ahead with no warning", "[app][schema]") {
  const auto verdict = JudgeRollbackSchema(Facts());
  CHECK_FALSE(verdict.refused);
  CHECK(verdict.warning.empty());
  CHECK(verdict.history_note.empty());
}

TEST_CASE(
    "rollback schema: a schema that moved on is refused, naming both revisions and the ways on",
    "[app][schema]") {
  auto facts = Facts();
  facts.now = "md5:bb";
  const auto verdict = JudgeRollbackSchema(facts);
  CHECK(verdict.refused);
  CHECK(verdict.message ==
        "the database schema of shop has moved on since release 1700000100: schema revision "
        "md5:aa then, md5:bb now; nothing was changed. Roll back with the database "
        "(--restore-database, which restores db_backup_1700000200.dump.zst) or roll the code back "
        "alone anyway (--force)");
  facts.backup.clear();
  CHECK(JudgeRollbackSchema(facts).message.find("(--restore-database) or") != std::string::npos);
}

TEST_CASE("rollback schema: --force over a moved schema warns and notes it for the history",
          "[app][schema]") {
  auto facts = Facts();
  facts.now = "md5:bb";
  facts.force = true;
  const auto verdict = JudgeRollbackSchema(facts);
  CHECK_FALSE(verdict.refused);
  CHECK(verdict.warning ==
        "--force: release 1700000100 runs on a database whose schema moved on (revision md5:aa at "
        "that release, md5:bb now)");
  CHECK(verdict.history_note ==
        " (forced: schema revision md5:bb, release 1700000100 recorded md5:aa)");
}

TEST_CASE("rollback schema: an unreadable schema is refused unless forced", "[app][schema]") {
  auto facts = Facts();
  facts.now.reset();
  facts.read_error = "database service 'postgres' of shop did not accept connections";
  auto verdict = JudgeRollbackSchema(facts);
  CHECK(verdict.refused);
  CHECK(verdict.message ==
        "cannot check the database schema of shop before rolling back: database service "
        "'postgres' of shop did not accept connections; nothing was changed. Use --force to roll "
        "the code back without the check");
  facts.force = true;
  verdict = JudgeRollbackSchema(facts);
  CHECK_FALSE(verdict.refused);
  CHECK(verdict.warning ==
        "--force: the database schema was not checked (database service 'postgres' of shop did "
        "not accept connections)");
}

TEST_CASE("rollback schema: no recorded revision cannot be checked: a warning, not a refusal",
          "[app][schema]") {
  auto facts = Facts();
  facts.recorded.reset();
  facts.now = "md5:bb";
  const auto verdict = JudgeRollbackSchema(facts);
  CHECK_FALSE(verdict.refused);
  CHECK(verdict.warning ==
        "no schema revision is recorded for release 1700000100, so the database schema was not "
        "checked");
}
