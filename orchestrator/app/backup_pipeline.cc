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

// Picks where pg_restore reads a custom archive to the end: on the server
// itself when it has a pg_restore at least as new (major version) as the
// pg_dump that made the dump ($dump_version, e.g. "15.18"; empty when
// unknown), which saves streaming the whole uncompressed dump through
// `docker exec -i`; else in the database container, whose pg_restore is
// the dump's own. Sets $reader to server or container.
const char* const kChooseReader =
    R"(# pg_restore on the server itself when it is at least as new as the pg_dump that
# made the dump (no docker exec stream to feed), else the one in the container.
reader=container
if [ -n "$dump_version" ] && hv=$(pg_restore --version 2>/dev/null) &&
  awk -v h="$hv" -v d="$dump_version" 'function major(v, p) {
      if (!match(v, /[0-9]+(\.[0-9]+)?/)) return -1
      split(substr(v, RSTART, RLENGTH), p, ".")
      return p[1] + 0 >= 10 ? p[1] * 100 : p[1] * 100 + p[2]
    }
    BEGIN { h = major(h); d = major(d); exit !(h >= 0 && d >= 0 && h >= d) }'; then
  reader=server
fi
)";

// Checks the file "$f" against $want_size (when not empty) and, with
// `hash`, $want_sha; sets $size, and $sha with `hash`. Shared by the backup
// (on the partial file, whose sha256 was taken from the bytes as they were
// written: no second pass) and db_verify (on a stored backup). A custom
// archive is read to the end by pg_restore, chosen by kChooseReader from
// $dump_version.
std::string VerifyFragment(const std::vector<std::string>& exec, const BackupEncoding& encoding,
                           bool hash) {
  const Codec codec = CodecFor(encoding);
  std::string s = hash
                      ? "# Verify \"$f\": size and sha256, decompression (checks the codec's own "
                        "checksums),\n# and completeness: the whole dump is read once, sha256sum "
                        "reads the file alongside.\n"
                      : "# Verify \"$f\": size, decompression (checks the codec's own checksums),\n"
                        "# and completeness: the whole dump is read once.\n";
  s += R"sh([ -f "$f" ] || { echo "$f does not exist" >"$st/missing.err"; fail missing 1; }
size=$(wc -c <"$f") || fail size 1
size=$((size))
if [ -n "$want_size" ] && [ "$size" != "$want_size" ]; then
  echo "$f has $size bytes, the manifest says $want_size" >"$st/size.err"; fail size 1
fi
)sh";
  if (hash) {
    s +=
        R"sh({ sha256sum <"$f" >"$st/checksum.out" 2>"$st/checksum.err"; echo $? >"$st/checksum.rc"; } &
)sh";
  }
  const std::string decompress =
      "{ " + codec.decompress +
      " <\"$f\" 2>\"$st/decompress.err\"; echo $? >\"$st/decompress.rc\"; }";
  const std::string empty_check =
      "[ \"$(" + codec.decompress +
      " <\"$f\" 2>/dev/null | head -c 1 | wc -c)\" -gt 0 ] || "
      "{ echo 'the dump is empty: pg_dump wrote nothing' >\"$st/empty.err\"; fail empty 1; }\n";
  if (encoding.format == "custom") {
    auto read_to_end = [&](const std::string& pg_restore) {
      return "  " + decompress + " |\n    { " + pg_restore +
             " -f /dev/null 2>\"$st/pg_restore.err\"; echo $? >\"$st/pg_restore.rc\"; }\n";
    };
    std::vector<std::string> in_container = exec;
    in_container.push_back("pg_restore");
    s += kChooseReader;
    s += "if [ \"$reader\" = server ]; then\n" + read_to_end("pg_restore") + "else\n" +
         read_to_end(Words(in_container)) + "fi\n";
    if (hash) s += "wait\n";
    s += "# pg_restore stops early on a bad archive (141: the decompressor lost its reader).\n"
         "r=$(rc decompress); case $r in 0|141) ;; *) fail decompress \"$r\" ;; esac\n"
         "r=$(rc pg_restore)\n"
         "if [ \"$r\" != 0 ]; then\n"
         "  " +
         empty_check +
         "  fail pg_restore \"$r\"\n"
         "fi\n"
         "r=$(rc decompress); [ \"$r\" = 0 ] || fail decompress \"$r\"\n";
  } else {
    s += decompress +
         " |\n"
         "  { tail -c 1024 >\"$st/tail.out\" 2>\"$st/tail.err\"; echo $? >\"$st/tail.rc\"; }\n";
    if (hash) s += "wait\n";
    s += "r=$(rc decompress); [ \"$r\" = 0 ] || fail decompress \"$r\"\n"
         "r=$(rc tail); [ \"$r\" = 0 ] || fail tail \"$r\"\n"
         "[ -s \"$st/tail.out\" ] || { echo 'the dump is empty: pg_dump wrote nothing' "
         ">\"$st/empty.err\"; fail empty 1; }\n"
         "grep -q '^-- PostgreSQL database dump complete$' \"$st/tail.out\" ||\n"
         "  { echo \"$f does not end with pg_dump's completion line\" >\"$st/complete.err\"; "
         "fail complete 1; }\n";
  }
  if (hash) {
    s += R"sh(r=$(rc checksum); [ "$r" = 0 ] || fail checksum "$r"
sha=$(cut -c1-64 "$st/checksum.out")
[ "$sha" = "$want_sha" ] ||
  { echo "sha256 of $f is $sha, expected $want_sha" >"$st/sha256.err"; fail sha256 1; }
)sh";
  }
  return s;
}

// The report line saying where pg_restore read a custom archive.
std::string ReaderReport(const BackupEncoding& encoding) {
  return encoding.format == "custom" ? "echo \"pg_restore=$reader\"\n" : "";
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
  // No separator after the last line ("msg\n" is "msg", not "msg;").
  for (;;) {
    if (out.ends_with("; ")) {
      out.resize(out.size() - 2);
    } else if (out.ends_with(' ')) {
      out.pop_back();
    } else {
      break;
    }
  }
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
  std::vector<std::string> metadata = spec.exec;
  for (auto& word : MetadataCommand(db)) metadata.push_back(word);

  std::string s = "# deployctl db_backup: dump, verify, then publish the file.\n";
  s += kPrelude;
  s += "dir=" + ShellQuote(spec.backups_dir) + "\n";
  s += "file=" + ShellQuote(spec.file) + "\n";
  s += R"sh(final="$dir/$file"
part="$final.partial"
trap 'rm -f "$part"; rm -rf "$st"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p -- "$dir" 2>"$st/mkdir.err" || fail mkdir $?
if [ -e "$final" ]; then echo "$final already exists" >"$st/exists.err"; fail exists 1; fi
# Versions, schema revision and exact row counts, read by one psql session that
# exports its snapshot for pg_dump: the counts are of the rows the dump holds.
# psql reads a FIFO that the script writes as it goes (fd 3); closing fd 3 ends it.
mkfifo "$st/metadata.in" 2>"$st/metadata.err" || fail metadata $?
)sh";
  s += "{ " + Words(metadata) +
       " <\"$st/metadata.in\" >\"$st/metadata.out\" 2>\"$st/metadata.err\"\n"
       "  echo $? >\"$st/metadata.rc\"; } >/dev/null 2>&1 &\n";
  s += R"sh(command exec 3>"$st/metadata.in" || fail metadata 1
# meta SQL: send SQL to the metadata psql (in a subshell: no SIGPIPE here if it died).
meta() { (printf '%s' "$1" >&3) 2>/dev/null; }
)sh";
  s += "meta " + ShellQuote(MetadataExportSnapshotSql()) + "\n";
  s += R"sh(# Wait for the snapshot id (psql prints each result as it comes): at most ~60 s,
# and no longer than psql lives.
n=0
while :; do
  snap=$(sed -n 's/^{"snapshot" *: *"\([0-9A-Fa-f-]*\)"}$/\1/p' "$st/metadata.out")
  [ -z "$snap" ] && [ ! -e "$st/metadata.rc" ] || break
  n=$((n + 1))
  if [ "$n" -gt 1200 ]; then
    exec 3>&-
    echo 'psql exported no snapshot within 60 s' >>"$st/metadata.err"; fail metadata 1
  fi
  sleep 0.05 2>/dev/null || { sleep 1; n=$((n + 19)); }
done
if [ -z "$snap" ]; then
  exec 3>&-; wait
  r=$(rc metadata)
  [ "$r" != 0 ] || { echo 'psql ended without exporting a snapshot' >>"$st/metadata.err"; r=1; }
  fail metadata "$r"
fi
# The counts, in that snapshot, run while the dump runs.
)sh";
  s += "meta " + ShellQuote(MetadataQueriesSql(db)) + "\n";
  s += "# The dump, of that snapshot, compressed as it streams, written to the partial file\n"
       "# and hashed as written. Its processes do not hold fd 3 (3>&-).\n";
  s += "( { " + Words(dump) + " --snapshot=\"$snap\" " + Words({"-U", db.user, db.name}) +
       " </dev/null 2>\"$st/pg_dump.err\"; echo $? >\"$st/pg_dump.rc\"; } |\n";
  s += "  { " + codec.compress + " 2>\"$st/" + codec.name + ".err\"; echo $? >\"$st/" + codec.name +
       ".rc\"; } |\n";
  s += R"sh(  { tee -- "$part" 2>"$st/write.err"; echo $? >"$st/write.rc"; } |
  { sha256sum 2>"$st/sha256sum.err"; echo $? >"$st/sha256sum.rc"; } >"$st/sha256sum.out"
) 3>&-
# The snapshot is needed until the dump is done: only now end the transaction.
meta 'COMMIT;
'
exec 3>&-
wait
# First: psql ending early (an error in its queries) also takes the snapshot from pg_dump.
r=$(rc metadata); [ "$r" = 0 ] || fail metadata "$r"
# Later stages do not check their input: the last stage that failed is where it began.
b=
)sh";
  s += "for s in pg_dump " + codec.name +
       " write sha256sum; do r=$(rc $s); [ \"$r\" = 0 ] || b=\"$s $r\"; done\n";
  s += R"sh([ -z "$b" ] || fail $b
# The sha256 of the bytes tee wrote (its status checked): the file is not read again for it.
sha=$(cut -c1-64 "$st/sha256sum.out")
case $sha in *[!0-9a-f]*) sha= ;; esac
[ ${#sha} = 64 ] || { echo 'sha256sum printed no checksum' >"$st/sha256sum.err"; fail sha256sum 1; }
f=$part
want_size=
dump_version=$(sed -n '1s/^pg_dump [^0-9]*\([0-9][0-9.]*\).*$/\1/p' "$st/metadata.out")
)sh";
  s += VerifyFragment(spec.exec, spec.encoding, /*hash=*/false);
  s += R"sh(# Durable, then published under the final name (ln fails rather than overwrite).
sync -- "$part" 2>/dev/null || sync
ln -- "$part" "$final" 2>"$st/publish.err" || fail publish $?
rm -f -- "$part"
sync -- "$dir" 2>/dev/null || :
echo "file=$file"
echo "size=$size"
echo "sha256=$sha"
)sh";
  s += ReaderReport(spec.encoding);
  s += "echo '--- metadata'\n"
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
  s += "dump_version=" + ShellQuote(spec.pg_dump_version) + "\n";
  s += VerifyFragment(spec.exec, spec.encoding, /*hash=*/true);
  s += "echo \"size=$size\"\n"
       "echo \"sha256=$sha\"\n";
  s += ReaderReport(spec.encoding);
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
    return with_err(
        "reading the database's versions, schema revision and row counts (psql, "
        "in the snapshot the dump uses) failed " +
        exit);
  }
  if (stage == "publish")
    return with_err("cannot link " + file + ".partial to " + file + " " + exit);
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
    return "verification failed: " + with_err("pg_restore could not read the archive to the end " +
                                              exit + ", the dump is truncated or corrupt");
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
