// The manifest beside every backup file, <file>.manifest.json, written
// last (atomically): a backup without one is incomplete. It records what
// the file holds and how to check it:
//   {"manifest_version": 1, "file", "kind", "app", "database", "size",
//    "sha256", "compression", "format", "release", "live_release",
//    "created", "pg_dump_version", "server_version", "schema_revision",
//    "tables": {"schema.table": rows, ...}, "dumped_database" (optional)}
// `release` is the release the backup belongs to (automatic backups: the
// release about to go live), `live_release` the one live when it was
// taken; both null when unknown. `created` is UTC epoch seconds. Row
// counts are exact (count(*)), taken in one snapshot while the dump runs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "orchestrator/core/value.h"

namespace deployctl {

struct BackupManifest {
  std::string file;  // the backup file name (no directory)
  std::string kind;  // automatic | manual | named | safety
  std::string app;
  std::string database;
  unsigned long long size = 0;
  std::string sha256;       // of the file's bytes, lowercase hex
  std::string compression;  // zstd | gzip
  std::string format;       // custom | plain
  std::optional<std::string> release;
  std::optional<std::string> live_release;
  long long created = 0;
  std::string pg_dump_version;  // "15.20"
  std::string server_version;   // "15.20"
  std::optional<std::string> schema_revision;
  std::map<std::string, long long> tables;  // "schema.table" -> rows
  // The database actually dumped when it is not `database` (a safety
  // backup of the database a restore replaced, `<db>__before_<ts>`);
  // stored only then. A restore always restores as `database`.
  std::optional<std::string> dumped_database;

  bool operator==(const BackupManifest&) const = default;
};

Value ManifestToJson(const BackupManifest& manifest);

// Throws std::invalid_argument naming the key that is missing or has the
// wrong type: "manifest: 'sha256' must be a string of 64 hex digits".
BackupManifest ManifestFromJson(const Value& json);

// Pretty-printed JSON text ending in a newline, as stored.
std::string RenderManifest(const BackupManifest& manifest);

// Parses stored text; throws std::invalid_argument for bad JSON too.
BackupManifest ParseManifest(std::string_view text);

}  // namespace deployctl
