#include "orchestrator/app/backup_pipeline.h"

#include <stdexcept>

#include "orchestrator/app/backup_metadata.h"
#include "orchestrator/app/compose_cli.h"

namespace deployctl {
namespace {

using remote::ShellQuote;

std::string Words(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) out += (out.empty() ? "" : " ") + ShellQuote(word);
  return out;
}

struct Codec {
  std::string name;        // stage name and program: zstd | gzip
  std::string compress;    // stdin -> stdout
  std::string decompress;  // stdin -> stdout, checking the codec's own checksums
};

Codec CodecFor(const BackupEncoding& encoding) {
  if (encoding.compression == "zstd") return {"zstd", "zstd -3 -q -c", "zstd -dc -q"};
  if (encoding.compression == "gzip") return {"gzip", "gzip -c", "gzip -dc"};
  throw std::invalid_argument("unknown compression '" + encoding.compression + "'");
}

// The start of every script: strict variables, private files, a temp dir
// for stage status and stderr, and the helpers that report a failure.
const char* const kPrelude = R"(set -u
umask 077
st=$(mktemp -d "${TMPDIR:-/tmp}/deployctl-backup.XXXXXX") || { echo failed=setup; echo status=1; exit 1; }
# fail STAGE STATUS: report STAGE as failed (its stderr on ours) and stop.
fail() {
  echo "failed=$1"
  echo "status=$2"
  if [ -s "$st/$1.err" ]; then tail -c 2000 "$st/$1.err" >&2; fi
  exit 1
}
# rc STAGE: the exit status STAGE recorded.
rc() { cat "$st/$1.rc" 2>/dev/null || echo killed; }
)";

// Checks the file "$f" against $want_size (when not empty) and $want_sha;
// sets $size and $sha. Shared by the backup (on the partial file) and
// db_verify (on a stored backup).
std::string VerifyFragment(const std::vector<std::string>& exec, const BackupEncoding& encoding) {
  const Codec codec = CodecFor(encoding);
  std::string s =
      "# Verify \"$f\": size and sha256, decompression (checks the codec's own checksums),\n"
      "# and completeness: the whole dump is read once, sha256sum reads the file alongside.\n"
      "[ -f \"$f\" ] || { echo \"$f does not exist\" >\"$st/missing.err\"; fail missing 1; }\n"
      "size=$(wc -c <\"$f\") || fail size 1\n"
      "size=$((size))\n"
      "if [ -n \"$want_size\" ] && [ \"$size\" != \"$want_size\" ]; then\n"
      "  echo \"$f has $size bytes, the manifest says $want_size\" >\"$st/size.err\"; fail size 1\n"
      "fi\n"
      "{ sha256sum <\"$f\" >\"$st/checksum.out\" 2>\"$st/checksum.err\"; echo $? "
      ">\"$st/checksum.rc\"; } &\n";
  const std::string empty_check =
      "[ \"$(" + codec.decompress +
      " <\"$f\" 2>/dev/null | head -c 1 | wc -c)\" -gt 0 ] || "
      "{ echo 'the dump is empty: pg_dump wrote nothing' >\"$st/empty.err\"; fail empty 1; }\n";
  if (encoding.format == "custom") {
    s += "{ " + codec.decompress + " <\"$f\" 2>\"$st/decompress.err\"; echo $? >\"$st/decompress.rc\"; } |\n"
         "  { " + Words(exec) + " pg_restore -f /dev/null 2>\"$st/pg_restore.err\"; echo $? "
         ">\"$st/pg_restore.rc\"; }\n"
         "wait\n"
         "# pg_restore stops early on a bad archive (141: the decompressor lost its reader).\n"
         "r=$(rc decompress); case $r in 0|141) ;; *) fail decompress \"$r\" ;; esac\n"
         "r=$(rc pg_restore)\n"
         "if [ \"$r\" != 0 ]; then\n"
         "  " + empty_check +
         "  fail pg_restore \"$r\"\n"
         "fi\n"
         "r=$(rc decompress); [ \"$r\" = 0 ] || fail decompress \"$r\"\n";
  } else {
    s += "{ " + codec.decompress + " <\"$f\" 2>\"$st/decompress.err\"; echo $? >\"$st/decompress.rc\"; } |\n"
         "  { tail -c 1024 >\"$st/tail.out\" 2>\"$st/tail.err\"; echo $? >\"$st/tail.rc\"; }\n"
         "wait\n"
         "r=$(rc decompress); [ \"$r\" = 0 ] || fail decompress \"$r\"\n"
         "r=$(rc tail); [ \"$r\" = 0 ] || fail tail \"$r\"\n"
         "[ -s \"$st/tail.out\" ] || { echo 'the dump is empty: pg_dump wrote nothing' "
         ">\"$st/empty.err\"; fail empty 1; }\n"
         "grep -q '^-- PostgreSQL database dump complete$' \"$st/tail.out\" ||\n"
         "  { echo \"$f does not end with pg_dump's completion line\" >\"$st/complete.err\"; "
         "fail complete 1; }\n";
  }
  s += "r=$(rc checksum); [ \"$r\" = 0 ] || fail checksum \"$r\"\n"
       "sha=$(cut -c1-64 \"$st/checksum.out\")\n"
       "[ \"$sha\" = \"$want_sha\" ] ||\n"
       "  { echo \"sha256 of $f is $sha, expected $want_sha\" >\"$st/sha256.err\"; fail sha256 1; }\n";
  return s;
}

std::string TrimmedOneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (!out.empty() && !out.ends_with("; ")) out += "; ";
      continue;
    }
    out += c;
  }
  while (out.ends_with("; ") || out.ends_with(' ')) out.pop_back();
  return out;
}

}  // namespace

std::vector<std::string> DatabaseExecArgv(const std::vector<std::string>& compose,
                                          const AppConfig& app, const std::string& release_dir) {
  std::vector<std::string> argv = ComposeArgv(compose, app, release_dir);
  argv.insert(argv.end(), {"exec", "-T", app.database.service});
  return argv;
}

std::string BuildBackupScript(const BackupScriptSpec& spec) {
  const Codec codec = CodecFor(spec.encoding);
  const DatabaseConfig& db = spec.database;
  std::vector<std::string> dump = spec.exec;
  dump.push_back("pg_dump");
  if (spec.encoding.format == "custom") dump.insert(dump.end(), {"-Fc", "-Z0"});
  dump.insert(dump.end(), {"-U", db.user, db.name});
  std::vector<std::string> metadata = spec.exec;
  for (auto& word : MetadataCommand(db)) metadata.push_back(word);

  std::string s = "# deployctl db_backup: dump, verify, then publish the file.\n";
  s += kPrelude;
  s += "dir=" + ShellQuote(spec.backups_dir) + "\n";
  s += "file=" + ShellQuote(spec.file) + "\n";
  s += "final=\"$dir/$file\"\n"
       "part=\"$final.partial\"\n"
       "trap 'rm -f \"$part\"; rm -rf \"$st\"' EXIT\n"
       "trap 'exit 129' HUP\n"
       "trap 'exit 130' INT\n"
       "trap 'exit 143' TERM\n"
       "mkdir -p -- \"$dir\" 2>\"$st/mkdir.err\" || fail mkdir $?\n"
       "if [ -e \"$final\" ]; then echo \"$final already exists\" >\"$st/exists.err\"; fail exists 1; fi\n"
       "# Versions, schema revision and exact row counts, while the dump runs.\n"
       "{ printf '%s' " + ShellQuote(MetadataSql(db)) + " |\n"
       "    " + Words(metadata) + " >\"$st/metadata.out\" 2>\"$st/metadata.err\"; echo $? "
       ">\"$st/metadata.rc\"; } &\n"
       "# The dump, compressed as it streams, written to the partial file and hashed as written.\n"
       "{ " + Words(dump) + " </dev/null 2>\"$st/pg_dump.err\"; echo $? >\"$st/pg_dump.rc\"; } |\n"
       "  { " + codec.compress + " 2>\"$st/" + codec.name + ".err\"; echo $? >\"$st/" + codec.name +
       ".rc\"; } |\n"
       "  { tee -- \"$part\" 2>\"$st/write.err\"; echo $? >\"$st/write.rc\"; } |\n"
       "  { sha256sum 2>\"$st/sha256sum.err\"; echo $? >\"$st/sha256sum.rc\"; } >\"$st/sha256sum.out\"\n"
       "wait\n"
       "# Later stages do not check their input: the last stage that failed is where it began.\n"
       "b=\n"
       "for s in pg_dump " + codec.name + " write sha256sum; do r=$(rc $s); [ \"$r\" = 0 ] || b=\"$s $r\"; done\n"
       "[ -z \"$b\" ] || fail $b\n"
       "r=$(rc metadata); [ \"$r\" = 0 ] || fail metadata \"$r\"\n"
       "f=$part\n"
       "want_size=\n"
       "want_sha=$(cut -c1-64 \"$st/sha256sum.out\")\n";
  s += VerifyFragment(spec.exec, spec.encoding);
  s += "# Durable, then published under the final name (ln fails rather than overwrite).\n"
       "sync -- \"$part\" 2>/dev/null || sync\n"
       "ln -- \"$part\" \"$final\" 2>\"$st/publish.err\" || fail publish $?\n"
       "rm -f -- \"$part\"\n"
       "sync -- \"$dir\" 2>/dev/null || :\n"
       "echo \"file=$file\"\n"
       "echo \"size=$size\"\n"
       "echo \"sha256=$sha\"\n"
       "echo '--- metadata'\n"
       "cat \"$st/metadata.out\"\n";
  return s;
}

std::string BuildVerifyScript(const VerifyScriptSpec& spec) {
  std::string s = "# deployctl db_verify: check a backup file against its manifest.\n";
  s += kPrelude;
  s += "trap 'rm -rf \"$st\"' EXIT\n";
  s += "f=" + ShellQuote(spec.path) + "\n";
  s += "want_size=" + (spec.size ? std::to_string(*spec.size) : std::string()) + "\n";
  s += "want_sha=" + ShellQuote(spec.sha256) + "\n";
  s += VerifyFragment(spec.exec, spec.encoding);
  s += "echo \"size=$size\"\n"
       "echo \"sha256=$sha\"\n";
  return s;
}

ScriptReport ParseScriptReport(const remote::CommandResult& result) {
  ScriptReport report;
  const std::string& out = result.out;
  size_t start = 0;
  bool in_metadata = false;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(start, end - start);
    start = end + 1;
    if (in_metadata) {
      report.metadata += line + "\n";
      continue;
    }
    if (line == "--- metadata") {
      in_metadata = true;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    report.values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  if (report.values.contains("failed")) {
    report.failed_stage = report.values["failed"];
    report.status = report.values.contains("status") ? report.values["status"] : "?";
  } else if (!result.ok()) {
    // Killed, or the connection dropped, before the script said anything.
    report.failed_stage = "script";
    report.status = std::to_string(result.exit_status);
  }
  return report;
}

std::string DescribeFailure(const ScriptReport& report, const remote::CommandResult& result,
                            const BackupEncoding& encoding, const std::string& file) {
  const std::string err = TrimmedOneLine(result.err);
  const std::string& stage = report.failed_stage;
  const std::string exit = "(exit " + report.status + ")";
  auto with_err = [&](std::string text) { return err.empty() ? text : text + ": " + err; };
  const std::string codec = encoding.compression;
  if (stage == "setup") return with_err("cannot make a temporary directory on the server");
  if (stage == "mkdir") return with_err("cannot create the backups directory " + exit);
  if (stage == "exists") return "backup file " + file + " already exists";
  if (stage == "pg_dump") return with_err("pg_dump failed " + exit);
  if (stage == codec) return with_err(codec + " failed " + exit);
  if (stage == "write") return with_err("writing " + file + ".partial failed " + exit);
  if (stage == "sha256sum") return with_err("sha256sum failed " + exit);
  if (stage == "metadata") {
    return with_err("reading the database's versions, schema revision and row counts (psql) "
                    "failed " + exit);
  }
  if (stage == "publish") return with_err("cannot link " + file + ".partial to " + file + " " + exit);
  if (stage == "missing") return "verification failed: " + file + " does not exist";
  if (stage == "size" || stage == "sha256") {
    return "verification failed: " + (err.empty() ? stage + " mismatch" : err);
  }
  if (stage == "decompress") {
    return "verification failed: " +
           with_err(codec + " -t failed " + exit + ", the file is corrupt or truncated");
  }
  if (stage == "empty") return "verification failed: the dump is empty (pg_dump wrote nothing)";
  if (stage == "pg_restore") {
    return "verification failed: " +
           with_err("pg_restore could not read the archive to the end " + exit +
                    ", the dump is truncated or corrupt");
  }
  if (stage == "tail") return "verification failed: " + with_err("reading the dump failed " + exit);
  if (stage == "complete") {
    return "verification failed: " + file +
           " does not end with pg_dump's 'PostgreSQL database dump complete' line: it is truncated";
  }
  if (stage == "checksum") return "verification failed: " + with_err("sha256sum failed " + exit);
  return with_err("the backup script failed at '" + stage + "' " + exit);
}

}  // namespace deployctl
