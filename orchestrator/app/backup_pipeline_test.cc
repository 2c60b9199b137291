#include "orchestrator/app/backup_pipeline.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/core/sha256.h"
#include "remote/local/local_transport.h"

using namespace deployctl;
using remote::Command;
using remote::CommandResult;
using remote::LocalTransport;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {

const Strings kExec = {"docker", "exec", "-i", "shop_postgres_1"};

DatabaseConfig Db() {
  DatabaseConfig db;
  db.enabled = true;
  db.service = "postgres";
  db.name = "shop";
  db.user = "app";
  return db;
}

BackupScriptSpec BackupSpec(const BackupEncoding& encoding) {
  BackupScriptSpec spec;
  spec.exec = kExec;
  spec.database = Db();
  spec.encoding = encoding;
  spec.backups_dir = "/srv/shop/backups";
  spec.file = encoding.format == "custom" ? "db_backup_v1.dump.zst" : "db_backup_v1.sql.gz";
  return spec;
}

size_t Find(const std::string& text, const std::string& what) {
  const size_t at = text.find(what);
  INFO("looking for: " << what);
  REQUIRE(at != std::string::npos);
  return at;
}

}  // namespace

// ------------------------------------------------------------ script text

TEST_CASE("the backup's pg_dump uses the snapshot the metadata session exported",
          "[backup_pipeline]") {
  const std::string s = BuildBackupScript(BackupSpec({"custom", "zstd"}));
  CHECK_THAT(s, Catch::Contains("mkfifo \"$st/metadata.in\""));
  CHECK_THAT(s, Catch::Contains("{ docker exec -i shop_postgres_1 sh -c 'pg_dump --version && "
                                "exec psql -X -q -A -t -v ON_ERROR_STOP=1 -U \"$1\" -d \"$2\"' "
                                "sh app shop <\"$st/metadata.in\" >\"$st/metadata.out\" "
                                "2>\"$st/metadata.err\"\n"));
  CHECK_THAT(s, Catch::Contains("command exec 3>\"$st/metadata.in\""));
  CHECK_THAT(s, Catch::Contains("docker exec -i shop_postgres_1 pg_dump -Fc -Z0 "
                                "--snapshot=\"$snap\" -U app shop </dev/null"));
  CHECK_THAT(s, Catch::Contains("zstd -3 -q -c"));

  // In order: export, wait for the id, the queries, the dump, COMMIT, close, wait, checks.
  const size_t exec3 = Find(s, "command exec 3>");
  const size_t exported = Find(s, "pg_export_snapshot()");
  const size_t poll = Find(s, "snap=$(sed -n");
  const size_t bounded = Find(s, "psql exported no snapshot within 60 s");
  const size_t queries = Find(s, "current_setting(");
  const size_t dump = Find(s, "pg_dump -Fc -Z0");
  const size_t commit = Find(s, "meta 'COMMIT;\n'");
  const size_t close = s.find("exec 3>&-\nwait\n");
  const size_t metadata_rc = Find(s, "r=$(rc metadata); [ \"$r\" = 0 ] || fail metadata \"$r\"");
  const size_t dump_rc = Find(s, "for s in pg_dump zstd write sha256sum");
  const size_t verify = Find(s, "# Verify \"$f\"");
  CHECK(exec3 < exported);
  CHECK(exported < poll);
  CHECK(poll < bounded);
  CHECK(bounded < queries);
  CHECK(queries < dump);
  CHECK(dump < commit);
  CHECK(commit < close);
  CHECK(close < metadata_rc);
  CHECK(metadata_rc < dump_rc);
  CHECK(dump_rc < verify);
  // Every failure while psql's input is open closes it first.
  CHECK_THAT(s, Catch::Contains("    exec 3>&-\n    echo 'psql exported no snapshot within 60 s'"));
  CHECK_THAT(s, Catch::Contains("if [ -z \"$snap\" ]; then\n  exec 3>&-; wait\n"));
  // The dump's processes do not keep psql's input open.
  CHECK_THAT(s, Catch::Contains(">\"$st/sha256sum.out\"\n) 3>&-\n"));
  // No MetadataSql in one go: no COMMIT before the dump.
  CHECK(s.find("COMMIT") == commit + 6);
}

TEST_CASE("the backup hashes the bytes as written and does not read the file again for it",
          "[backup_pipeline]") {
  const std::string s = BuildBackupScript(BackupSpec({"custom", "zstd"}));
  CHECK_THAT(s, Catch::Contains("{ tee -- \"$part\" 2>\"$st/write.err\"; echo $? "
                                ">\"$st/write.rc\"; } |\n  { sha256sum"));
  CHECK_THAT(s, Catch::Contains("sha=$(cut -c1-64 \"$st/sha256sum.out\")"));
  CHECK(s.find("sha256sum <\"$f\"") == std::string::npos);
  CHECK(s.find("rc checksum") == std::string::npos);
  CHECK(s.find("want_sha") == std::string::npos);
  // The read to the end is still there, and the dump's version comes from metadata.out.
  CHECK_THAT(s, Catch::Contains("zstd -dc -q <\"$f\""));
  CHECK_THAT(s, Catch::Contains("dump_version=$(sed -n '1s/^pg_dump "));
  CHECK_THAT(s, Catch::Contains("echo \"pg_restore=$reader\"\n"));

  const std::string v = BuildVerifyScript(
      {kExec, {"custom", "zstd"}, "/b/x.dump.zst", 42, std::string(64, 'a'), "15.18"});
  CHECK_THAT(v, Catch::Contains("{ sha256sum <\"$f\" >\"$st/checksum.out\""));
  CHECK_THAT(v, Catch::Contains("dump_version=15.18\n"));
  CHECK_THAT(v, Catch::Contains("fail sha256 1"));
}

TEST_CASE(
    "pg_restore reads the archive on the server when its own is new enough, else in the "
    "container",
    "[backup_pipeline]") {
  for (const std::string& s :
       {BuildBackupScript(BackupSpec({"custom", "gzip"})),
        BuildVerifyScript(
            {kExec, {"custom", "gzip"}, "/b/x.dump.gz", 42, std::string(64, 'a'), ""})}) {
    CHECK_THAT(s, Catch::Contains("hv=$(pg_restore --version 2>/dev/null)"));
    CHECK_THAT(s, Catch::Contains("if [ \"$reader\" = server ]; then\n"
                                  "  { gzip -dc <\"$f\" 2>\"$st/decompress.err\"; echo $? "
                                  ">\"$st/decompress.rc\"; } |\n"
                                  "    { pg_restore -f /dev/null 2>\"$st/pg_restore.err\"; echo $? "
                                  ">\"$st/pg_restore.rc\"; }\n"
                                  "else\n"
                                  "  { gzip -dc <\"$f\" 2>\"$st/decompress.err\"; echo $? "
                                  ">\"$st/decompress.rc\"; } |\n"
                                  "    { docker exec -i shop_postgres_1 pg_restore -f /dev/null "
                                  "2>\"$st/pg_restore.err\"; echo $? >\"$st/pg_restore.rc\"; }\n"
                                  "fi\n"));
  }
  // A plain dump needs no pg_restore.
  for (const std::string& s :
       {BuildBackupScript(BackupSpec({"plain", "gzip"})),
        BuildVerifyScript({{}, {"plain", "gzip"}, "/b/x.sql.gz", 42, std::string(64, 'a'), ""})}) {
    CHECK(s.find("pg_restore") == std::string::npos);
    CHECK_THAT(s, Catch::Contains("grep -q '^-- PostgreSQL database dump complete$'"));
  }
  const std::string plain = BuildBackupScript(BackupSpec({"plain", "gzip"}));
  CHECK_THAT(plain, Catch::Contains("docker exec -i shop_postgres_1 pg_dump --snapshot=\"$snap\" "
                                    "-U app shop </dev/null"));
}

TEST_CASE("a failed metadata session is described with its snapshot role", "[backup_pipeline]") {
  ScriptReport report;
  report.failed_stage = "metadata";
  report.status = "2";
  CommandResult result{1, "", "psql: error: connection refused\n"};
  CHECK(DescribeFailure(report, result, {"custom", "zstd"}, "/b/x.dump.zst") ==
        "reading the database's versions, schema revision and row counts (psql, in the snapshot "
        "the dump uses) failed (exit 2): psql: error: connection refused");
}

// ------------------------------------------------------ running the scripts

namespace {

// Fakes of pg_dump, psql and pg_restore; the rest (sh, gzip, sha256sum,
// tee, mkfifo, sed, awk) is this machine's. The "container" is `env
// DEPLOYCTL_FAKE_WHERE=container PATH=<fakes>:...`. Every fake logs what it
// did to $FAKE_DIR/log.
const char* const kFakePgDump = R"sh(#!/bin/sh
if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) ${FAKE_PG_DUMP_VERSION:-15.4}"; exit 0; fi
snap=
custom=
for a in "$@"; do
  case $a in --snapshot=*) snap=${a#--snapshot=} ;; -Fc) custom=1 ;; esac
done
echo "dump start $snap" >>"$FAKE_DIR/log"
if [ "$(cat "$FAKE_DIR/exported" 2>/dev/null)" != "$snap" ]; then
  echo "pg_dump: error: invalid snapshot identifier: \"$snap\"" >&2; exit 1
fi
if [ -n "${FAKE_PG_DUMP_FAIL:-}" ]; then echo "pg_dump: error: $FAKE_PG_DUMP_FAIL" >&2; exit 1; fi
sleep 0.2
[ -z "$custom" ] || printf 'PGDMP'
i=0
while [ $i -lt 300 ]; do echo "row $i"; i=$((i + 1)); done
printf -- '--\n-- PostgreSQL database dump complete\n--\n\n'
echo "dump end" >>"$FAKE_DIR/log"
)sh";

const char* const kFakePsql = R"sh(#!/bin/sh
case ${FAKE_PSQL:-} in
  connect) echo 'psql: error: connection to server on socket failed' >&2; exit 2 ;;
esac
trap 'rm -f "$FAKE_DIR/exported"' EXIT
while IFS= read -r line; do
  case $line in
    BEGIN*) echo begin >>"$FAKE_DIR/log" ;;
    *pg_export_snapshot*)
      [ "${FAKE_PSQL:-}" != quit ] || exit 0
      echo 00000003-0000001B-1 >"$FAKE_DIR/exported"
      echo export >>"$FAKE_DIR/log"
      echo '{"snapshot" : "00000003-0000001B-1"}' ;;
    *"'server_version'"*)
      if [ "${FAKE_PSQL:-}" = query ]; then
        echo 'ERROR:  relation "schema_info" does not exist' >&2; exit 3
      fi
      echo '{"server_version" : "15.4"}'
      echo '{"schema_revision" : "base"}' ;;
    *'\gexec'*) echo counts >>"$FAKE_DIR/log"; echo '{"table" : "public.t", "rows" : 3}' ;;
    COMMIT*) echo commit >>"$FAKE_DIR/log"; rm -f "$FAKE_DIR/exported" ;;
  esac
done
echo eof >>"$FAKE_DIR/log"
)sh";

const char* const kFakePgRestore = R"sh(#!/bin/sh
where=${DEPLOYCTL_FAKE_WHERE:-server}
if [ "$where" = server ] && [ -z "${FAKE_HOST_PG_RESTORE:-}" ]; then
  echo "pg_restore: not found" >&2; exit 127
fi
if [ "$1" = --version ]; then
  [ "$where" = server ] && v=$FAKE_HOST_PG_RESTORE || v=${FAKE_PG_DUMP_VERSION:-15.4}
  echo "pg_restore (PostgreSQL) $v (Debian $v-1.pgdg120+1)"; exit 0
fi
echo "pg_restore in the $where" >>"$FAKE_DIR/log"
content=$(cat)
case $content in
  PGDMP*) ;;
  *) echo 'pg_restore: error: input file does not appear to be a valid archive' >&2; exit 1 ;;
esac
)sh";

struct FakeServer {
  fs::path dir =
      fs::temp_directory_path() / ("deployctl-backup-pipeline-test-" + std::to_string(::getpid()));
  fs::path bin = dir / "bin";
  fs::path backups = dir / "backups";
  std::map<std::string, std::string> env;  // FAKE_* settings for the next run
  CommandResult last;

  FakeServer() {
    fs::remove_all(dir);
    fs::create_directories(bin);
    Install("pg_dump", kFakePgDump);
    Install("psql", kFakePsql);
    Install("pg_restore", kFakePgRestore);
  }
  ~FakeServer() { fs::remove_all(dir); }

  void Install(const std::string& name, const char* text) {
    std::ofstream(bin / name) << text;
    ::chmod((bin / name).c_str(), 0755);
  }
  std::string Path() const {
    const char* path = std::getenv("PATH");
    return bin.string() + ":" + (path ? path : "/usr/bin:/bin");
  }
  Strings Exec() const { return {"env", "DEPLOYCTL_FAKE_WHERE=container", "PATH=" + Path()}; }

  ScriptReport Run(const std::string& script) {
    fs::remove(dir / "log");
    Command command = Command::Shell(script);
    command.env = env;
    command.env["PATH"] = Path();
    command.env["FAKE_DIR"] = dir.string();
    command.timeout_seconds = 30;
    last = LocalTransport("localhost").Run(command);
    return ParseScriptReport(last);
  }
  ScriptReport Backup(const BackupEncoding& encoding, const std::string& file) {
    BackupScriptSpec spec;
    spec.exec = Exec();
    spec.database = Db();
    spec.encoding = encoding;
    spec.backups_dir = backups.string();
    spec.file = file;
    return Run(BuildBackupScript(spec));
  }
  ScriptReport Verify(const BackupEncoding& encoding, const std::string& file,
                      const std::string& sha256, const std::string& pg_dump_version) {
    VerifyScriptSpec spec;
    spec.exec = Exec();
    spec.encoding = encoding;
    spec.path = (backups / file).string();
    spec.size = fs::file_size(backups / file);
    spec.sha256 = sha256;
    spec.pg_dump_version = pg_dump_version;
    return Run(BuildVerifyScript(spec));
  }
  Strings Log() const {
    Strings lines;
    std::ifstream in(dir / "log");
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::string Leftovers() const {
    std::string names;
    if (!fs::exists(backups)) return names;
    for (const auto& entry : fs::directory_iterator(backups)) {
      names += entry.path().filename().string() + " ";
    }
    return names;
  }
};

size_t IndexOf(const Strings& lines, const std::string& line) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == line) return i;
  }
  FAIL("no line '" << line << "' in the log");
  return 0;
}

std::string Joined(const Strings& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("a backup run: the dump reads the exported snapshot, COMMIT comes after it",
          "[backup_pipeline][script]") {
  FakeServer server;
  server.env["FAKE_HOST_PG_RESTORE"] = "16.2";
  const ScriptReport report = server.Backup({"custom", "gzip"}, "db_backup_v1.dump.gz");
  INFO(server.last.out << server.last.err << Joined(server.Log()));
  REQUIRE(report.ok());
  const fs::path file = server.backups / "db_backup_v1.dump.gz";
  CHECK(server.Leftovers() == "db_backup_v1.dump.gz ");
  CHECK(report.values.at("file") == "db_backup_v1.dump.gz");
  CHECK(report.values.at("size") == std::to_string(fs::file_size(file)));
  CHECK(report.values.at("sha256") == Sha256HexOfFile(file.string()));
  CHECK(report.values.at("pg_restore") == "server");

  const Strings log = server.Log();
  CHECK(log.front() == "begin");
  CHECK(IndexOf(log, "export") < IndexOf(log, "dump start 00000003-0000001B-1"));
  CHECK(IndexOf(log, "dump start 00000003-0000001B-1") < IndexOf(log, "dump end"));
  CHECK(IndexOf(log, "counts") < IndexOf(log, "commit"));
  CHECK(IndexOf(log, "dump end") < IndexOf(log, "commit"));
  CHECK(IndexOf(log, "commit") < IndexOf(log, "eof"));
  CHECK(IndexOf(log, "eof") < IndexOf(log, "pg_restore in the server"));

  const DatabaseMetadata meta = ParseMetadata(report.metadata);
  CHECK(meta.pg_dump_version == "15.4");
  CHECK(meta.server_version == "15.4");
  CHECK(meta.schema_revision == "base");
  CHECK(meta.tables == std::map<std::string, long long>{{"public.t", 3}});
}

TEST_CASE(
    "a backup run reads the archive in the container when the server's pg_restore is "
    "older or missing",
    "[backup_pipeline][script]") {
  FakeServer server;
  SECTION("older") {
    server.env["FAKE_HOST_PG_RESTORE"] = "14.11";
  }
  SECTION("missing") {}
  const ScriptReport report = server.Backup({"custom", "gzip"}, "db_backup_v1.dump.gz");
  INFO(server.last.out << server.last.err << Joined(server.Log()));
  REQUIRE(report.ok());
  CHECK(report.values.at("pg_restore") == "container");
  IndexOf(server.Log(), "pg_restore in the container");
}

TEST_CASE("a plain backup run uses the snapshot too", "[backup_pipeline][script]") {
  FakeServer server;
  const ScriptReport report = server.Backup({"plain", "gzip"}, "db_backup_v1.sql.gz");
  INFO(server.last.out << server.last.err << Joined(server.Log()));
  REQUIRE(report.ok());
  CHECK_FALSE(report.values.contains("pg_restore"));
  const Strings log = server.Log();
  CHECK(IndexOf(log, "dump end") < IndexOf(log, "commit"));
  CHECK(report.values.at("sha256") ==
        Sha256HexOfFile((server.backups / "db_backup_v1.sql.gz").string()));
}

TEST_CASE("a backup run whose metadata session fails reports the metadata stage and ends psql",
          "[backup_pipeline][script]") {
  FakeServer server;
  std::string status, err;
  bool dumped = false;
  SECTION("psql cannot connect") {
    server.env["FAKE_PSQL"] = "connect";
    status = "2";
    err = "psql: error: connection to server on socket failed";
  }
  SECTION("psql ends without exporting a snapshot") {
    server.env["FAKE_PSQL"] = "quit";
    status = "1";
    err = "psql ended without exporting a snapshot";
  }
  SECTION("a query fails after the export (pg_dump may lose its snapshot)") {
    server.env["FAKE_PSQL"] = "query";
    status = "3";
    err = "ERROR:  relation \"schema_info\" does not exist";
    dumped = true;
  }
  const ScriptReport report = server.Backup({"custom", "gzip"}, "db_backup_v1.dump.gz");
  INFO(server.last.out << server.last.err << Joined(server.Log()));
  CHECK(report.failed_stage == "metadata");
  CHECK(report.status == status);
  CHECK_THAT(server.last.err, Catch::Contains(err));
  CHECK(server.last.exit_status == 1);
  CHECK(server.Leftovers().empty());
  const std::string log = Joined(server.Log());
  CHECK((log.find("dump start") != std::string::npos) == dumped);
}

TEST_CASE("a backup run whose pg_dump fails still ends the metadata session",
          "[backup_pipeline][script]") {
  FakeServer server;
  server.env["FAKE_PG_DUMP_FAIL"] = "permission denied for table t";
  const ScriptReport report = server.Backup({"custom", "gzip"}, "db_backup_v1.dump.gz");
  INFO(server.last.out << server.last.err << Joined(server.Log()));
  CHECK(report.failed_stage == "pg_dump");
  CHECK(report.status == "1");
  CHECK_THAT(server.last.err, Catch::Contains("permission denied for table t"));
  CHECK(server.Leftovers().empty());
  const Strings log = server.Log();
  CHECK(IndexOf(log, "commit") < IndexOf(log, "eof"));
}

TEST_CASE("the verify script picks pg_restore by the dump's pg_dump version",
          "[backup_pipeline][script]") {
  FakeServer server;
  REQUIRE(server.Backup({"custom", "gzip"}, "db_backup_v1.dump.gz").ok());
  const std::string sha = Sha256HexOfFile((server.backups / "db_backup_v1.dump.gz").string());
  struct Case {
    std::string host, dump, reader;
  };
  for (const Case& c : {Case{"15.4", "15.2", "server"}, Case{"16.1", "15.18", "server"},
                        Case{"15.4", "16.0", "container"}, Case{"15.4", "", "container"},
                        Case{"", "15.2", "container"}, Case{"10.1", "9.6.24", "server"},
                        Case{"9.5.2", "9.6.1", "container"}, Case{"9.6.3", "9.6.1", "server"}}) {
    server.env["FAKE_HOST_PG_RESTORE"] = c.host;
    const ScriptReport report =
        server.Verify({"custom", "gzip"}, "db_backup_v1.dump.gz", sha, c.dump);
    INFO("host " << c.host << ", dump " << c.dump << ": " << server.last.out << server.last.err);
    REQUIRE(report.ok());
    CHECK(report.values.at("pg_restore") == c.reader);
    CHECK(report.values.at("sha256") == sha);
  }
  server.env["FAKE_HOST_PG_RESTORE"] = "15.4";
  const ScriptReport bad =
      server.Verify({"custom", "gzip"}, "db_backup_v1.dump.gz", std::string(64, '0'), "15.4");
  CHECK(bad.failed_stage == "sha256");
}

TEST_CASE("a corrupt archive fails the read to the end on the server as in the container",
          "[backup_pipeline][script]") {
  FakeServer server;
  fs::create_directories(server.backups);
  const fs::path file = server.backups / "db_backup_bad.dump.gz";
  REQUIRE(LocalTransport("localhost")
              .Run(Command::Shell("printf 'not an archive\\n' | gzip -c >'" + file.string() + "'"))
              .ok());
  const std::string sha = Sha256HexOfFile(file.string());
  for (const std::string host : {"15.4", ""}) {
    server.env["FAKE_HOST_PG_RESTORE"] = host;
    const ScriptReport report =
        server.Verify({"custom", "gzip"}, "db_backup_bad.dump.gz", sha, "15.4");
    INFO(server.last.out << server.last.err);
    CHECK(report.failed_stage == "pg_restore");
    CHECK_THAT(server.last.err, Catch::Contains("does not appear to be a valid archive"));
  }
}
