#include "orchestrator/app/backup_metadata.h"

#include <regex>
#include <stdexcept>
#include <vector>

namespace deployctl {
namespace {

// Schemas that belong to PostgreSQL, not to the app.
constexpr std::string_view kUserSchema =
    "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

std::string StripQuery(std::string query) {
  auto is_trailing = [](char c) {
    return c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!query.empty() && is_trailing(query.back())) query.pop_back();
  return query;
}

// One line per schema object, sorted and hashed: the same schema gives the
// same lines after a dump and restore (no OIDs, no attnums).
std::string CatalogChecksumSql() {
  const std::string user(kUserSchema);
  return "SELECT json_build_object('schema_revision', 'md5:' || md5(coalesce(string_agg(line, "
         "E'\\n' "
         "ORDER BY line), ''))) FROM (\n"
         "SELECT format('table %I.%I %s', n.nspname, c.relname, c.relkind) AS line\n"
         "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
         " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " +
         user +
         "\n"
         "UNION ALL\n"
         "SELECT format('column %I.%I.%I %s%s%s', n.nspname, c.relname, a.attname,\n"
         "              format_type(a.atttypid, a.atttypmod),\n"
         "              CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,\n"
         "              coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''))\n"
         "  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid\n"
         "  JOIN pg_namespace n ON n.oid = c.relnamespace\n"
         "  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n"
         " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')\n"
         "   AND " +
         user +
         "\n"
         "UNION ALL\n"
         "SELECT format('index %I.%I %s', n.nspname, c.relname, pg_get_indexdef(c.oid))\n"
         "  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid\n"
         "  JOIN pg_namespace n ON n.oid = c.relnamespace\n"
         " WHERE " +
         user +
         "\n"
         "UNION ALL\n"
         "SELECT format('constraint %I.%I %I %s', n.nspname, c.relname, con.conname,\n"
         "              pg_get_constraintdef(con.oid))\n"
         "  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid\n"
         "  JOIN pg_namespace n ON n.oid = c.relnamespace\n"
         " WHERE " +
         user +
         "\n"
         "UNION ALL\n"
         "SELECT format('type %I.%I %s %s', n.nspname, t.typname, t.typtype,\n"
         "              coalesce((SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY "
         "e.enumsortorder)\n"
         "                          FROM pg_enum e WHERE e.enumtypid = t.oid),\n"
         "                       format_type(t.typbasetype, t.typtypmod)))\n"
         "  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace\n"
         " WHERE t.typtype IN ('e', 'd') AND " +
         user +
         "\n"
         ") AS schema_lines;\n";
}

constexpr std::string_view kMetadataBegin = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n";

std::string FirstVersion(const std::string& text) {
  static const std::regex kVersion("([0-9]+(\\.[0-9]+)*)");
  std::smatch m;
  if (!std::regex_search(text, m, kVersion)) return "";
  return m[1];
}

}  // namespace

std::string SchemaRevisionSql(const DatabaseConfig& database) {
  if (!database.schema_revision_query.empty()) {
    // The user's query as a subquery: its first column of its first row.
    return "SELECT json_build_object('schema_revision', (SELECT deployctl_q.rev::text FROM (\n" +
           StripQuery(database.schema_revision_query) + "\n) AS deployctl_q(rev) LIMIT 1));\n";
  }
  return "SELECT to_regclass('alembic_version') IS NOT NULL AS deployctl_has_alembic \\gset\n"
         "\\if :deployctl_has_alembic\n"
         "SELECT json_build_object('schema_revision', coalesce((SELECT string_agg(version_num, "
         "',' ORDER BY version_num) FROM alembic_version), 'base'));\n"
         "\\else\n" +
         CatalogChecksumSql() + "\\endif\n";
}

std::string MetadataQueriesSql(const DatabaseConfig& database) {
  return "SELECT json_build_object('server_version', current_setting('server_version'));\n" +
         SchemaRevisionSql(database) +
         "SELECT format('SELECT json_build_object(''table'', %L, ''rows'', count(*)) FROM %I.%I',\n"
         "              n.nspname || '.' || c.relname, n.nspname, c.relname)\n"
         "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
         " WHERE c.relkind IN ('r', 'p') AND " +
         std::string(kUserSchema) +
         "\n"
         " ORDER BY 1 \\gexec\n";
}

std::string MetadataSql(const DatabaseConfig& database) {
  return std::string(kMetadataBegin) + MetadataQueriesSql(database) + "COMMIT;\n";
}

std::string MetadataExportSnapshotSql() {
  return std::string(kMetadataBegin) +
         "SELECT json_build_object('snapshot', pg_export_snapshot());\n";
}

std::vector<std::string> MetadataCommand(const DatabaseConfig& database) {
  return {"sh",
          "-c",
          "pg_dump --version && exec psql -X -q -A -t -v ON_ERROR_STOP=1 -U \"$1\" -d \"$2\"",
          "sh",
          database.user,
          database.name};
}

DatabaseMetadata ParseMetadata(std::string_view output) {
  DatabaseMetadata meta;
  bool have_server = false, have_revision = false;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    std::string line(output.substr(start, end - start));
    start = end + 1;
    if (line.starts_with("pg_dump ")) {
      meta.pg_dump_version = FirstVersion(line);
      continue;
    }
    if (!line.starts_with("{")) continue;
    Value json;
    try {
      json = Value::parse(line);
    } catch (const Value::parse_error&) {
      throw std::invalid_argument("unexpected psql output: " + line);
    }
    if (json.contains("server_version") && json["server_version"].is_string()) {
      meta.server_version = FirstVersion(json["server_version"].get<std::string>());
      have_server = true;
    } else if (json.contains("schema_revision")) {
      if (json["schema_revision"].is_string()) {
        meta.schema_revision = json["schema_revision"].get<std::string>();
      }
      have_revision = true;
    } else if (json.contains("table") && json["table"].is_string() && json.contains("rows") &&
               json["rows"].is_number_integer()) {
      meta.tables[json["table"].get<std::string>()] = json["rows"].get<long long>();
    }
  }
  if (meta.pg_dump_version.empty()) throw std::invalid_argument("no pg_dump version in the output");
  if (!have_server) throw std::invalid_argument("no server version in the output");
  if (!have_revision) throw std::invalid_argument("no schema revision in the output");
  return meta;
}

}  // namespace deployctl
