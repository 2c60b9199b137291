// Backup file names in <root>/backups/ (see docs/backups.md):
//   db_backup_<release>.dump.zst          automatic, taken just before <release> went live
//   db_backup_manual_<epoch>.dump.zst     manual
//   db_backup_safety_<epoch>.dump.zst     safety, taken before a restore
//   db_backup_<name>.dump.zst             named (--name)
// Extensions: .dump.zst (custom format, zstd), .dump.gz (custom format, gzip:
// the server has no zstd), .sql.gz (backup_format: plain). Each backup file
// has a <file>.manifest.json beside it, written last.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deployctl {

enum class BackupKind { kAutomatic, kManual, kNamed, kSafety };

// "automatic", "manual", "named", "safety".
std::string_view BackupKindName(BackupKind kind);
std::optional<BackupKind> ParseBackupKind(std::string_view text);

// Why `name` cannot be a backup name, or nullopt when it can. Names use
// [A-Za-z0-9._-], 1 to 64 characters, not starting with '.' or '-', with no
// '..'; all-digit names (read as release ids) and the prefixes "manual_"
// and "safety_" (other kinds' files) are refused too. The text completes
// "backup name 'x' ...", e.g. "must not contain '..'".
std::optional<std::string> BackupNameProblem(std::string_view name);
inline bool IsValidBackupName(std::string_view name) {
  return !BackupNameProblem(name);
}

// How the bytes are stored.
struct BackupEncoding {
  std::string format = "custom";     // custom (pg_dump -Fc) | plain (SQL text)
  std::string compression = "zstd";  // zstd | gzip
  bool operator==(const BackupEncoding&) const = default;
};

// The encoding a server gets: plain is always gzip (.sql.gz, as the
// runbooks make it); custom is zstd when the server has zstd, else gzip.
BackupEncoding ChooseEncoding(std::string_view backup_format, bool server_has_zstd);

// ".dump.zst", ".dump.gz" or ".sql.gz".
std::string BackupExtension(const BackupEncoding& encoding);

// "db_backup_<id>" for the kind: `id` is the release id (automatic), the
// epoch seconds (manual, safety) or the name (named).
std::string BackupStem(BackupKind kind, std::string_view id);
std::string BackupFileName(BackupKind kind, std::string_view id, const BackupEncoding& encoding);

// "<file>.manifest.json".
std::string ManifestFileName(std::string_view backup_file);

// What a backup file name says about itself; nullopt for other files
// (manifests, .partial files, anything not made by deployctl).
struct BackupFileInfo {
  std::string file;  // as given
  std::string stem;  // without the extension
  BackupKind kind = BackupKind::kNamed;
  std::string id;  // release id, epoch seconds, or name
  BackupEncoding encoding;
};
std::optional<BackupFileInfo> ParseBackupFileName(std::string_view file);

// The backup file that `argument` (from `db verify|restore BACKUP`) means,
// among `files` (backup file names in the backups dir): a file name as
// `db list` shows it, a release id (its automatic backup), or a backup name
// (named, or a manual/safety stem such as "manual_1748599000"). Never a
// path. Throws std::invalid_argument with a message for the user when the
// argument is malformed, matches nothing, or is ambiguous.
std::string ResolveBackupArgument(std::string_view argument, const std::vector<std::string>& files);

}  // namespace deployctl
