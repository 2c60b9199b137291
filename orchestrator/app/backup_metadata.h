// What a backup records about the database beside the dump: versions, the
// schema revision and exact row counts. Read with one psql session in the
// database container, in one REPEATABLE READ snapshot; each answer is one
// JSON line, so names with any characters come back intact.
//
// The schema revision is the same everywhere deployctl records one (deploy,
// backup, rollback checks): `database.schema_revision_query` if set (its
// first column of its first row), else Alembic's version_num when an
// `alembic_version` table exists ("base" when it is empty, several heads
// joined with ','), else "md5:" and the MD5 of a description of the schema
// read from the catalogs (tables, columns with types, defaults and NOT
// NULL, indexes, constraints, enum and domain types). Never a hash of dump
// text, which differs on every run.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "orchestrator/app/app_config.h"

namespace deployctl {

// psql input that prints {"schema_revision": "..."} (one line). For
// `psql -X -q -A -t -v ON_ERROR_STOP=1`.
std::string SchemaRevisionSql(const DatabaseConfig& database);

// psql input that prints, one JSON object a line:
//   {"server_version": "15.20 (Debian ...)"}
//   {"schema_revision": "..."}
//   {"table": "public.users", "rows": 42}     one per table, exact count(*)
// in one REPEATABLE READ, READ ONLY transaction (BEGIN, the queries,
// COMMIT). The counts scan every table: a full read of the data, acceptable
// next to a dump that reads it all anyway.
std::string MetadataSql(const DatabaseConfig& database);

// MetadataSql in two parts, for a backup whose dump and counts see the same
// snapshot (BuildBackupScript): MetadataExportSnapshotSql opens the
// transaction and exports its snapshot, printing one line
//   {"snapshot" : "00000003-00000019-1"}
// (the id to give `pg_dump --snapshot=`); MetadataQueriesSql is the queries
// alone (no BEGIN, no COMMIT), to send once the dump has the snapshot; the
// caller sends "COMMIT;" after the dump has finished (the snapshot is valid
// only while the transaction is open). MetadataSql is
// BEGIN + MetadataQueriesSql + COMMIT.
std::string MetadataExportSnapshotSql();
std::string MetadataQueriesSql(const DatabaseConfig& database);

// The argv that runs MetadataSql (on stdin) in the database container, after
// `pg_dump --version`: sh -c '...' sh <user> <database>. The user and
// database travel as arguments, never inside the script text.
std::vector<std::string> MetadataCommand(const DatabaseConfig& database);

struct DatabaseMetadata {
  std::string pg_dump_version;  // "15.20"
  std::string server_version;   // "15.20"
  std::optional<std::string> schema_revision;
  std::map<std::string, long long> tables;
};

// Parses the output of MetadataCommand. Throws std::invalid_argument when
// a line that should be there is missing or malformed.
DatabaseMetadata ParseMetadata(std::string_view output);

}  // namespace deployctl
