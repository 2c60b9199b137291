#include "orchestrator/app/backup_naming.h"

#include <array>
#include <stdexcept>

namespace deployctl {
namespace {

constexpr std::string_view kPrefix = "db_backup_";
constexpr std::string_view kManual = "manual_";
constexpr std::string_view kSafety = "safety_";

bool IsDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

struct Extension {
  std::string_view suffix;
  BackupEncoding encoding;
};

const std::array<Extension, 3>& Extensions() {
  static const std::array<Extension, 3> all = {{{".dump.zst", {"custom", "zstd"}},
                                                {".dump.gz", {"custom", "gzip"}},
                                                {".sql.gz", {"plain", "gzip"}}}};
  return all;
}

}  // namespace

std::string_view BackupKindName(BackupKind kind) {
  switch (kind) {
    case BackupKind::kAutomatic:
      return "automatic";
    case BackupKind::kManual:
      return "manual";
    case BackupKind::kNamed:
      return "named";
    case BackupKind::kSafety:
      return "safety";
  }
  return "named";
}

std::optional<BackupKind> ParseBackupKind(std::string_view text) {
  for (BackupKind kind :
       {BackupKind::kAutomatic, BackupKind::kManual, BackupKind::kNamed, BackupKind::kSafety}) {
    if (BackupKindName(kind) == text) return kind;
  }
  return std::nullopt;
}

std::optional<std::string> BackupNameProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 64) return "is longer than 64 characters";
  for (char c : name) {
    if (!IsNameChar(c)) return "may only use letters, digits, '.', '_' and '-'";
  }
  if (name.front() == '.' || name.front() == '-') return "must not start with '.' or '-'";
  if (name.find("..") != std::string_view::npos) return "must not contain '..'";
  if (IsDigits(name)) return "must not be all digits (that reads as a release id)";
  if (name.starts_with(kManual) || name.starts_with(kSafety)) {
    return "must not start with 'manual_' or 'safety_' (used by other kinds of backup)";
  }
  return std::nullopt;
}

BackupEncoding ChooseEncoding(std::string_view backup_format, bool server_has_zstd) {
  if (backup_format == "plain") return {"plain", "gzip"};
  return {"custom", server_has_zstd ? "zstd" : "gzip"};
}

std::string BackupExtension(const BackupEncoding& encoding) {
  for (const Extension& ext : Extensions()) {
    if (ext.encoding == encoding) return std::string(ext.suffix);
  }
  throw std::invalid_argument("no file extension for a " + encoding.format + " backup with " +
                              encoding.compression);
}

std::string BackupStem(BackupKind kind, std::string_view id) {
  std::string stem(kPrefix);
  if (kind == BackupKind::kManual) stem += kManual;
  if (kind == BackupKind::kSafety) stem += kSafety;
  return stem + std::string(id);
}

std::string BackupFileName(BackupKind kind, std::string_view id, const BackupEncoding& encoding) {
  return BackupStem(kind, id) + BackupExtension(encoding);
}

std::string ManifestFileName(std::string_view backup_file) {
  return std::string(backup_file) + ".manifest.json";
}

std::optional<BackupFileInfo> ParseBackupFileName(std::string_view file) {
  if (!file.starts_with(kPrefix)) return std::nullopt;
  for (const Extension& ext : Extensions()) {
    if (!file.ends_with(ext.suffix) || file.size() <= kPrefix.size() + ext.suffix.size()) continue;
    BackupFileInfo info;
    info.file = std::string(file);
    info.stem = std::string(file.substr(0, file.size() - ext.suffix.size()));
    info.encoding = ext.encoding;
    std::string_view id = std::string_view(info.stem).substr(kPrefix.size());
    if (id.starts_with(kManual) && IsDigits(id.substr(kManual.size()))) {
      info.kind = BackupKind::kManual;
      info.id = std::string(id.substr(kManual.size()));
    } else if (id.starts_with(kSafety) && IsDigits(id.substr(kSafety.size()))) {
      info.kind = BackupKind::kSafety;
      info.id = std::string(id.substr(kSafety.size()));
    } else if (IsDigits(id)) {
      info.kind = BackupKind::kAutomatic;
      info.id = std::string(id);
    } else if (IsValidBackupName(id)) {
      info.kind = BackupKind::kNamed;
      info.id = std::string(id);
    } else {
      return std::nullopt;
    }
    return info;
  }
  return std::nullopt;
}

std::string ResolveBackupArgument(std::string_view argument,
                                  const std::vector<std::string>& files) {
  const std::string arg(argument);
  if (arg.empty()) throw std::invalid_argument("no backup given");
  if (arg.find('/') != std::string::npos) {
    throw std::invalid_argument("'" + arg +
                                "' is a path; name a backup by its file name as 'db list' "
                                "shows it, its release id, or its name");
  }
  bool well_formed = arg.front() != '.' && arg.front() != '-' && arg.size() <= 200;
  for (char c : arg) well_formed = well_formed && IsNameChar(c);
  if (!well_formed) {
    throw std::invalid_argument("'" + arg + "' is not a backup file name, release id or name");
  }
  std::vector<std::string> matches;
  if (ParseBackupFileName(arg)) {
    for (const auto& file : files) {
      if (file == arg) matches.push_back(file);
    }
  } else {
    const bool release = IsDigits(arg);
    for (const auto& file : files) {
      auto info = ParseBackupFileName(file);
      if (!info) continue;
      if (release ? info->kind == BackupKind::kAutomatic && info->id == arg
                  : info->stem == BackupStem(BackupKind::kNamed, arg)) {
        matches.push_back(file);
      }
    }
  }
  if (matches.empty()) {
    throw std::invalid_argument("backup '" + arg + "' not found");
  }
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m;
    throw std::invalid_argument("backup '" + arg + "' is ambiguous: " + list +
                                "; give the file name");
  }
  return matches.front();
}

}  // namespace deployctl
