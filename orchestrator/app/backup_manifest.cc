#include "orchestrator/app/backup_manifest.h"

#include <stdexcept>

#include "orchestrator/app/backup_naming.h"

namespace deployctl {
namespace {

constexpr int kManifestVersion = 1;

Value Nullable(const std::optional<std::string>& value) {
  return value ? Value(*value) : Value(nullptr);
}

[[noreturn]] void Bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument("manifest: '" + key + "' " + what);
}

std::string String(const Value& json, const std::string& key) {
  if (!json.contains(key) || !json[key].is_string()) Bad(key, "must be a string");
  return json[key].get<std::string>();
}

std::optional<std::string> OptionalString(const Value& json, const std::string& key) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  if (!json[key].is_string()) Bad(key, "must be a string or null");
  return json[key].get<std::string>();
}

bool IsHex64(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Value ManifestToJson(const BackupManifest& m) {
  Value tables = Value::object();
  for (const auto& [table, rows] : m.tables) tables[table] = rows;
  Value json{{"manifest_version", kManifestVersion},
             {"file", m.file},
             {"kind", m.kind},
             {"app", m.app},
             {"database", m.database},
             {"size", m.size},
             {"sha256", m.sha256},
             {"compression", m.compression},
             {"format", m.format},
             {"release", Nullable(m.release)},
             {"live_release", Nullable(m.live_release)},
             {"created", m.created},
             {"pg_dump_version", m.pg_dump_version},
             {"server_version", m.server_version},
             {"schema_revision", Nullable(m.schema_revision)},
             {"tables", std::move(tables)}};
  if (m.dumped_database) json["dumped_database"] = *m.dumped_database;
  return json;
}

BackupManifest ManifestFromJson(const Value& json) {
  if (!json.is_object()) throw std::invalid_argument("manifest: not a JSON object");
  if (json.contains("manifest_version") &&
      (!json["manifest_version"].is_number_integer() ||
       json["manifest_version"].get<int>() > kManifestVersion)) {
    Bad("manifest_version",
        "is not one this deployctl reads (" + std::to_string(kManifestVersion) + ")");
  }
  BackupManifest m;
  m.file = String(json, "file");
  m.kind = String(json, "kind");
  if (!ParseBackupKind(m.kind)) Bad("kind", "must be automatic, manual, named or safety");
  m.app = String(json, "app");
  m.database = String(json, "database");
  if (!json.contains("size") || !json["size"].is_number_unsigned()) {
    Bad("size", "must be a non-negative integer");
  }
  m.size = json["size"].get<unsigned long long>();
  m.sha256 = String(json, "sha256");
  if (!IsHex64(m.sha256)) Bad("sha256", "must be a string of 64 lowercase hex digits");
  m.compression = String(json, "compression");
  if (m.compression != "zstd" && m.compression != "gzip")
    Bad("compression", "must be zstd or gzip");
  m.format = String(json, "format");
  if (m.format != "custom" && m.format != "plain") Bad("format", "must be custom or plain");
  m.release = OptionalString(json, "release");
  m.live_release = OptionalString(json, "live_release");
  if (!json.contains("created") || !json["created"].is_number_integer()) {
    Bad("created", "must be an integer (epoch seconds)");
  }
  m.created = json["created"].get<long long>();
  m.pg_dump_version = String(json, "pg_dump_version");
  m.server_version = String(json, "server_version");
  m.schema_revision = OptionalString(json, "schema_revision");
  m.dumped_database = OptionalString(json, "dumped_database");
  if (json.contains("tables") && !json["tables"].is_null()) {
    if (!json["tables"].is_object()) Bad("tables", "must be an object of row counts");
    for (const auto& [table, rows] : json["tables"].items()) {
      if (!rows.is_number_integer()) Bad("tables", "must be an object of row counts");
      m.tables[table] = rows.get<long long>();
    }
  }
  return m;
}

std::string RenderManifest(const BackupManifest& manifest) {
  return ManifestToJson(manifest).dump(2) + "\n";
}

BackupManifest ParseManifest(std::string_view text) {
  Value json;
  try {
    json = Value::parse(text);
  } catch (const Value::parse_error& e) {
    throw std::invalid_argument(std::string("manifest: not valid JSON: ") + e.what());
  }
  return ManifestFromJson(json);
}

}  // namespace deployctl
