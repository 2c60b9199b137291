#include "orchestrator/app/db_restore.h"

#include <stdexcept>

namespace deployctl {
namespace {

using remote::ShellQuote;

// PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes.
constexpr size_t kMaxDatabaseName = 63;

std::string Words(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) out += (out.empty() ? "" : " ") + ShellQuote(word);
  return out;
}

std::string Checked(std::string name) {
  if (name.size() > kMaxDatabaseName) {
    throw std::invalid_argument("database name '" + name + "' would be longer than " +
                                std::to_string(kMaxDatabaseName) +
                                " bytes: choose a shorter database.name");
  }
  return name;
}

}  // namespace

RestoreNames RestoreNamesFor(const std::string& live, long long ts) {
  const std::string stamp = std::to_string(ts);
  return {live, Checked(live + "__restore_" + stamp), Checked(live + "__before_" + stamp)};
}

std::string FailedDatabaseName(const std::string& live, long long ts) {
  return Checked(live + "__failed_" + std::to_string(ts));
}

std::optional<long long> ReplacedDatabaseStamp(const std::string& live, const std::string& name) {
  const std::string prefix = live + "__before_";
  if (!name.starts_with(prefix) || name.size() == prefix.size() ||
      name.size() - prefix.size() > 18) {
    return std::nullopt;
  }
  const std::string digits = name.substr(prefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(digits);
}

std::string ScratchDatabaseName(const std::string& live, long long ts) {
  return Checked(live + "__verify_" + std::to_string(ts));
}

std::string MaintenanceDatabase(const std::string& live) {
  return live == "postgres" ? "template1" : "postgres";
}

std::vector<std::string> PsqlArgv(const std::vector<std::string>& exec, const std::string& user,
                                  const std::string& database,
                                  const std::map<std::string, std::string>& vars) {
  std::vector<std::string> argv = exec;
  argv.insert(argv.end(), {"psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", user,
                           "-d", database});
  for (const auto& [key, value] : vars) argv.insert(argv.end(), {"-v", key + "=" + value});
  return argv;
}

std::string ExistingDatabasesSql() {
  return "SELECT datname FROM pg_database WHERE datname IN (:'live', :'new', :'before') "
         "ORDER BY 1;\n";
}

std::string CreateDatabaseLikeSql() {
  return "-- The new database, made like the live one.\n"
         "SELECT format('CREATE DATABASE %I WITH TEMPLATE template0 OWNER %I ENCODING %L "
         "LC_COLLATE %L LC_CTYPE %L%s TABLESPACE %I CONNECTION LIMIT %s',\n"
         "              :'new', pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding),\n"
         "              d.datcollate, d.datctype,\n"
         "              CASE WHEN d.datlocprovider = 'i'\n"
         "                   THEN format(' LOCALE_PROVIDER icu ICU_LOCALE %L', d.daticulocale)\n"
         "                   ELSE '' END,\n"
         "              t.spcname, d.datconnlimit)\n"
         "  FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace\n"
         " WHERE d.datname = :'live' \\gexec\n"
         "-- Database-level settings (ALTER DATABASE / ALTER ROLE ... IN DATABASE ... SET).\n"
         "-- List settings are stored already quoted, as pg_dump knows.\n"
         "SELECT CASE WHEN s.setrole = 0\n"
         "            THEN format('ALTER DATABASE %I SET %s TO %s', :'new', quote_ident(c.name), "
         "c.value)\n"
         "            ELSE format('ALTER ROLE %I IN DATABASE %I SET %s TO %s',\n"
         "                        pg_get_userbyid(s.setrole), :'new', quote_ident(c.name), "
         "c.value)\n"
         "       END\n"
         "  FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase,\n"
         "       LATERAL (SELECT split_part(cfg, '=', 1) AS name,\n"
         "                       CASE WHEN split_part(cfg, '=', 1) IN ('search_path', "
         "'temp_tablespaces',\n"
         "                                 'session_preload_libraries', "
         "'local_preload_libraries')\n"
         "                            THEN substr(cfg, strpos(cfg, '=') + 1)\n"
         "                            ELSE quote_literal(substr(cfg, strpos(cfg, '=') + 1)) END AS "
         "value\n"
         "                  FROM unnest(s.setconfig) AS cfg) AS c\n"
         " WHERE d.datname = :'live' \\gexec\n"
         "-- Grants: the live database's ACL exactly (the default one when it has none).\n"
         "SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'new')\n"
         "  FROM pg_database WHERE datname = :'live' AND datacl IS NOT NULL \\gexec\n"
         "SELECT format('GRANT %s ON DATABASE %I TO %s%s', a.privilege_type, :'new',\n"
         "              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "
         "quote_ident(pg_get_userbyid(a.grantee)) "
         "END,\n"
         "              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)\n"
         "  FROM pg_database d, LATERAL aclexplode(d.datacl) AS a\n"
         " WHERE d.datname = :'live' AND a.grantee <> d.datdba \\gexec\n"
         "SELECT format('COMMENT ON DATABASE %I IS %L', :'new', shobj_description(d.oid, "
         "'pg_database'))\n"
         "  FROM pg_database d\n"
         " WHERE d.datname = :'live' AND shobj_description(d.oid, 'pg_database') IS NOT NULL "
         "\\gexec\n";
}

std::string DropDatabaseSql() {
  return "DROP DATABASE IF EXISTS :\"new\" WITH (FORCE);\n";
}

std::string SwapSql() {
  return "ALTER DATABASE :\"live\" ALLOW_CONNECTIONS false;\n"
         "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity\n"
         " WHERE datname = :'live' AND pid <> pg_backend_pid();\n"
         "BEGIN;\n"
         "ALTER DATABASE :\"live\" RENAME TO :\"before\";\n"
         "ALTER DATABASE :\"new\" RENAME TO :\"live\";\n"
         "ALTER DATABASE :\"before\" ALLOW_CONNECTIONS true;\n"
         "COMMIT;\n";
}

std::string AllowConnectionsSql() {
  return "ALTER DATABASE :\"live\" ALLOW_CONNECTIONS true;\n";
}

namespace {

// The start of both scripts: strict variables, private files, a temp dir
// for stage status and stderr, and the helpers that report a failure
// (failed=<stage>, status=<n>, the stage's stderr on ours).
std::string Prelude(const std::string& what) {
  return "# deployctl db_restore: " + what +
         "\n"
         "set -u\n"
         "umask 077\n"
         "st=$(mktemp -d \"${TMPDIR:-/tmp}/deployctl-restore.XXXXXX\") || "
         "{ echo failed=setup; echo status=1; exit 1; }\n"
         "fail() {\n"
         "  echo \"failed=$1\"\n"
         "  echo \"status=$2\"\n"
         "  if [ -s \"$st/$1.err\" ]; then tail -c 2000 \"$st/$1.err\" >&2; fi\n"
         "  exit 1\n"
         "}\n"
         "rc() { cat \"$st/$1.rc\" 2>/dev/null || echo killed; }\n"
         "trap 'exit 129' HUP\n"
         "trap 'exit 130' INT\n"
         "trap 'exit 143' TERM\n";
}

std::string Decompressor(const BackupEncoding& encoding) {
  if (encoding.compression == "zstd") return "zstd";
  if (encoding.compression == "gzip") return "gzip";
  throw std::invalid_argument("unknown compression '" + encoding.compression + "'");
}

std::vector<std::string> Plus(std::vector<std::string> argv, std::vector<std::string> more) {
  argv.insert(argv.end(), more.begin(), more.end());
  return argv;
}

}  // namespace

std::string BuildStageScript(const StageScriptSpec& spec) {
  const bool custom = spec.encoding.format == "custom";
  const std::string codec = Decompressor(spec.encoding);
  const std::string tmp = spec.container_tmp;
  std::string s = Prelude("verify a backup file and stage it in the database container.");
  s += "f=" + ShellQuote(spec.path) + "\n";
  s += "want_size=" + std::to_string(spec.size) + "\n";
  s += "want_sha=" + ShellQuote(spec.sha256) + "\n";
  s +=
      "staged=0\n"
      "cleanup() {\n"
      "  [ \"$staged\" = 1 ] || " +
      Words(RemoveStagedArgv(spec.exec, tmp)) +
      " >/dev/null 2>&1 </dev/null\n"
      "  rm -rf \"$st\"\n"
      "}\n"
      "trap cleanup EXIT\n"
      "[ -f \"$f\" ] || { echo \"$f does not exist\" >\"$st/missing.err\"; fail missing 1; }\n"
      "size=$(wc -c <\"$f\") || fail size 1\n"
      "size=$((size))\n"
      "[ \"$size\" = \"$want_size\" ] ||\n"
      "  { echo \"$f has $size bytes, the manifest says $want_size\" >\"$st/size.err\"; "
      "fail size 1; }\n"
      "# One read of the file: sha256 of the bytes as stored, and the decompressed\n"
      "# archive (the codec checks its own checksum) written into the container.\n"
      "# Decompressed in the container when it has " +
      codec +
      ": a quarter of the bytes\n"
      "# then go through the container runtime's stdin relay.\n"
      "mkfifo \"$st/sha.in\" 2>\"$st/setup.err\" || fail setup $?\n"
      "{ sha256sum <\"$st/sha.in\" >\"$st/checksum.out\" 2>\"$st/checksum.err\"; echo $? "
      ">\"$st/checksum.rc\"; } &\n"
      "if " +
      Words(Plus(spec.exec, {"sh", "-c", "command -v " + codec})) +
      " </dev/null >/dev/null 2>&1; then\n"
      "  { tee -- \"$st/sha.in\" <\"$f\" 2>\"$st/read.err\"; echo $? >\"$st/read.rc\"; } |\n"
      "    { " +
      Words(Plus(spec.exec, {"sh", "-c", "umask 077 && " + codec + " -dc -q >\"$1\"", "sh", tmp})) +
      " 2>\"$st/decompress.err\"; echo $? >\"$st/decompress.rc\"; }\n"
      "  echo 0 >\"$st/stage.rc\"\n"
      "else\n"
      "  { tee -- \"$st/sha.in\" <\"$f\" 2>\"$st/read.err\"; echo $? >\"$st/read.rc\"; } |\n"
      "    { " +
      codec +
      " -dc -q 2>\"$st/decompress.err\"; echo $? >\"$st/decompress.rc\"; } |\n"
      "    { " +
      Words(Plus(spec.exec, {"sh", "-c", "umask 077 && cat >\"$1\"", "sh", tmp})) +
      " 2>\"$st/stage.err\"; echo $? >\"$st/stage.rc\"; }\n"
      "fi\n"
      "wait\n"
      "# The checksum first when the file was read whole: it says best what is wrong\n"
      "# with a changed file (a decompressor that gives up early cuts the read short).\n"
      "rr=$(rc read)\n"
      "sha=\n"
      "if [ \"$rr\" = 0 ]; then\n"
      "  r=$(rc checksum); [ \"$r\" = 0 ] || fail checksum \"$r\"\n"
      "  sha=$(cut -c1-64 \"$st/checksum.out\")\n"
      "  [ \"$sha\" = \"$want_sha\" ] ||\n"
      "    { echo \"sha256 of $f is $sha, the manifest says $want_sha\" >\"$st/sha256.err\"; "
      "fail sha256 1; }\n"
      "fi\n"
      "r=$(rc decompress); [ \"$r\" = 0 ] || fail decompress \"$r\"\n"
      "r=$(rc stage); [ \"$r\" = 0 ] || fail stage \"$r\"\n"
      "[ \"$rr\" = 0 ] || fail read \"$rr\"\n";
  if (custom) {
    s += "# The archive's table of contents must read (its data was read to the end when\n"
         "# the backup was made; the checksum says these are the same bytes).\n" +
         Words(Plus(spec.exec, {"pg_restore", "-l", tmp})) +
         " </dev/null >/dev/null 2>\"$st/toc.err\" || fail toc $?\n";
  } else {
    s += Words(Plus(spec.exec, {"tail", "-c", "1024", tmp})) +
         " </dev/null >\"$st/tail.out\" 2>\"$st/tail.err\" || fail tail $?\n"
         "grep -q '^-- PostgreSQL database dump complete$' \"$st/tail.out\" ||\n"
         "  { echo \"$f does not end with pg_dump's completion line\" >\"$st/complete.err\"; "
         "fail complete 1; }\n";
  }
  s += "staged=1\n"
       "echo \"sha256=$sha\"\n"
       "echo \"staged=" +
       tmp + "\"\n";
  return s;
}

std::string BuildRestoreScript(const RestoreScriptSpec& spec) {
  const bool custom = spec.format == "custom";
  const std::vector<std::string> psql = Plus(
      spec.exec, {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", spec.user, "-d", spec.target});
  std::string s = Prelude("restore a staged backup into a new database.");
  s += "cleanup() { " + Words(RemoveStagedArgv(spec.exec, spec.container_tmp)) +
       " >/dev/null 2>&1 </dev/null; rm -rf \"$st\"; }\n"
       "trap cleanup EXIT\n";
  if (custom) {
    s += Words(Plus(spec.exec, {"pg_restore", "-j", std::to_string(spec.jobs), "--exit-on-error",
                                "-U", spec.user, "-d", spec.target, spec.container_tmp})) +
         " </dev/null >/dev/null 2>\"$st/pg_restore.err\" || fail pg_restore $?\n";
  } else {
    s += Words(Plus(psql, {"-f", spec.container_tmp})) +
         " </dev/null >/dev/null 2>\"$st/psql.err\" || fail psql $?\n";
  }
  s += Words(Plus(psql, {"-c", "ANALYZE"})) +
       " </dev/null >/dev/null 2>\"$st/analyze.err\" || fail analyze $?\n";
  s += "echo restored=" + ShellQuote(spec.target) + "\n";
  return s;
}

std::vector<std::string> RemoveStagedArgv(const std::vector<std::string>& exec,
                                          const std::string& container_tmp) {
  std::vector<std::string> argv = exec;
  argv.insert(argv.end(), {"rm", "-f", "--", container_tmp});
  return argv;
}

std::vector<std::string> CompareRowCounts(const std::map<std::string, long long>& expected,
                                          const std::map<std::string, long long>& actual) {
  std::vector<std::string> problems;
  for (const auto& [table, rows] : expected) {
    auto it = actual.find(table);
    if (it == actual.end()) {
      problems.push_back(table + ": " + std::to_string(rows) +
                         " rows in the backup, table missing after the restore");
    } else if (it->second != rows) {
      problems.push_back(table + ": " + std::to_string(rows) + " rows in the backup, " +
                         std::to_string(it->second) + " restored");
    }
  }
  for (const auto& [table, rows] : actual) {
    if (!expected.contains(table)) {
      problems.push_back(table + ": not in the backup's manifest, " + std::to_string(rows) +
                         " rows restored");
    }
  }
  return problems;
}

}  // namespace deployctl
