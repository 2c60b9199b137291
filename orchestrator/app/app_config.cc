#include "orchestrator/app/app_config.h"

#include <charconv>
#include <climits>
#include <regex>
#include <set>

#include "orchestrator/app/compose_cli.h"
#include "orchestrator/core/spelling.h"
#include "orchestrator/core/strings.h"
#include "orchestrator/vars/template.h"

namespace deployctl {
namespace {

class Reader {
 public:
  Reader(std::string origin, std::string path)
      : origin_(std::move(origin)), path_(std::move(path)) {}

  [[noreturn]] void Fail(const std::string& key, const std::string& message) const {
    throw ConfigError(SourceLocation{origin_, 0, 0},
                      path_ + (key.empty() ? "" : "." + key) + ": " + message);
  }

  void CheckKeys(const Value& dict, const std::vector<std::string>& known) const {
    for (auto& [key, _] : dict.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Fail(key, "unknown key" + DidYouMean(key, known));
      }
    }
  }

  std::string String(const Value& dict, const std::string& key, bool required,
                     const std::string& fallback = "") const {
    if (!dict.contains(key) || dict[key].is_null()) {
      if (required) Fail("", "missing required key '" + key + "'");
      return fallback;
    }
    const Value& v = dict[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number()) return v.dump();
    Fail(key, "must be a string");
  }

  int Int(const Value& dict, const std::string& key, int fallback, int min) const {
    if (!dict.contains(key) || dict[key].is_null()) return fallback;
    const Value& v = dict[key];
    long long n = 0;
    if (v.is_number_unsigned()) {
      // Beyond long long reads as the maximum: refused below as too large.
      n = v.get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX)
              ? LLONG_MAX
              : v.get<long long>();
    } else if (v.is_number_integer()) {
      n = v.get<long long>();
    } else if (v.is_string() && std::regex_match(v.get<std::string>(), std::regex("[0-9]+"))) {
      const std::string& text = v.get_ref<const std::string&>();
      if (std::from_chars(text.data(), text.data() + text.size(), n).ec != std::errc()) {
        n = LLONG_MAX;  // out of range
      }
    } else {
      Fail(key, "must be an integer");
    }
    if (n < min) Fail(key, "must be at least " + std::to_string(min));
    if (n > INT_MAX) Fail(key, "must be at most " + std::to_string(INT_MAX));
    return static_cast<int>(n);
  }

  bool Bool(const Value& dict, const std::string& key, bool fallback) const {
    if (!dict.contains(key) || dict[key].is_null()) return fallback;
    const Value& v = dict[key];
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_integer() && (v == 0 || v == 1)) return v == 1;
    if (v.is_string()) {
      if (auto parsed = ParseBool(v.get_ref<const std::string&>())) return *parsed;
    }
    Fail(key, "must be true or false");
  }

  const Value& Dict(const Value& dict, const std::string& key) const {
    static const Value kEmpty = Value::object();
    if (!dict.contains(key) || dict[key].is_null()) return kEmpty;
    if (!dict[key].is_object()) Fail(key, "must be a mapping");
    return dict[key];
  }

  Reader Child(const std::string& key) const { return Reader(origin_, path_ + "." + key); }

 private:
  std::string origin_;
  std::string path_;
};

void CheckRelativePath(const Reader& r, const std::string& key, const std::string& path) {
  if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos ||
      path.find('\n') != std::string::npos) {
    r.Fail(key, "'" + path + "' must be a relative path inside the release, without '..'");
  }
}

}  // namespace

bool IsValidAppName(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  return std::regex_match(name, kName) && name.find("..") == std::string::npos;
}

bool IsValidReleaseId(const std::string& id) {
  static const std::regex kId("[0-9]{1,20}");
  return std::regex_match(id, kId);
}

std::vector<std::string> AppNames(const Value& vars) {
  std::vector<std::string> names;
  if (vars.contains("apps") && vars["apps"].is_object()) {
    for (auto& [name, _] : vars["apps"].items()) names.push_back(name);
  }
  return names;
}

AppConfig ParseAppConfig(const std::string& name, const Value& config, const std::string& origin) {
  Reader r(origin, "apps." + name);
  if (!IsValidAppName(name)) {
    r.Fail("", "app names may use letters, digits, '.', '_' and '-' (at most 64, no '..')");
  }
  if (!config.is_object()) r.Fail("", "must be a mapping");
  r.CheckKeys(config, {"root", "hosts", "keep_releases", "source", "shared", "compose", "database",
                       "migrate", "healthcheck", "templates", "auto_rollback"});
  AppConfig app;
  app.name = name;
  app.root = r.String(config, "root", true);
  static const std::regex kSafePath("/[A-Za-z0-9._/+@:-]*");
  if (!std::regex_match(app.root, kSafePath) || app.root.find("/../") != std::string::npos ||
      app.root.ends_with("/..") || app.root == "/") {
    r.Fail("root",
           "'" + app.root +
               "' must be an absolute path of letters, digits and ._/+@:- (not '/', no '..')");
  }
  while (app.root.size() > 1 && app.root.back() == '/') app.root.pop_back();
  app.hosts = r.String(config, "hosts", false, "all");
  app.keep_releases = r.Int(config, "keep_releases", 5, 2);

  const Value& source = r.Dict(config, "source");
  Reader rs = r.Child("source");
  if (source.empty()) r.Fail("", "missing required key 'source'");
  rs.CheckKeys(source, {"type", "path", "url", "ref"});
  app.source.type = rs.String(source, "type", false, "dir");
  if (app.source.type == "dir" || app.source.type == "archive") {
    app.source.path = rs.String(source, "path", true);
  } else if (app.source.type == "git") {
    app.source.url = rs.String(source, "url", true);
    app.source.ref = rs.String(source, "ref", false, "HEAD");
  } else {
    rs.Fail("type", "must be dir, archive or git, got '" + app.source.type + "'");
  }

  if (config.contains("shared") && !config["shared"].is_null()) {
    if (!config["shared"].is_array()) r.Fail("shared", "must be a list of paths");
    for (const auto& entry : config["shared"]) {
      if (!entry.is_string()) r.Fail("shared", "must be a list of paths");
      std::string path = entry.get<std::string>();
      CheckRelativePath(r, "shared", path.ends_with("/") ? path.substr(0, path.size() - 1) : path);
      app.shared.push_back(path);
    }
  }

  const Value& compose = r.Dict(config, "compose");
  Reader rc = r.Child("compose");
  rc.CheckKeys(compose, {"file", "project"});
  app.compose.file = rc.String(compose, "file", false, "docker-compose.yml");
  CheckRelativePath(rc, "file", app.compose.file);
  // Without compose.project, the app name as compose itself would turn it
  // into a project name (lowercased, other characters dropped): "Shop" and
  // "my.app" are valid app names.
  const bool project_given = compose.contains("project") && !compose["project"].is_null();
  app.compose.project = rc.String(compose, "project", false, ComposeProjectName(name));
  if (!std::regex_match(app.compose.project, std::regex("[a-z0-9][a-z0-9_-]*"))) {
    if (!project_given) {
      rc.Fail("project", "the app name '" + name +
                             "' gives no compose project name: set compose.project (lowercase "
                             "letters, digits, '_' and '-')");
    }
    rc.Fail("project", "'" + app.compose.project +
                           "' must be lowercase letters, digits, '_' and '-' (compose's rule)");
  }

  const Value& db = r.Dict(config, "database");
  Reader rd = r.Child("database");
  if (!db.empty()) {
    rd.CheckKeys(db, {"service", "name", "user", "host", "keep_backups", "keep_days",
                      "keep_safety_backups", "keep_manual_backups", "keep_replaced_databases",
                      "backup_format", "backup_required", "schema_revision_query"});
    app.database.enabled = true;
    app.database.service = rd.String(db, "service", true);
    app.database.name = rd.String(db, "name", true);
    app.database.user = rd.String(db, "user", false, "postgres");
    app.database.host = rd.String(db, "host", false);
    app.database.keep_backups = rd.Int(db, "keep_backups", 5, 1);
    app.database.keep_days = rd.Int(db, "keep_days", 0, 0);
    app.database.keep_safety_backups = rd.Int(db, "keep_safety_backups", 3, 1);
    app.database.keep_manual_backups = rd.Int(db, "keep_manual_backups", 10, 1);
    app.database.keep_replaced_databases = rd.Int(db, "keep_replaced_databases", 1, 0);
    app.database.backup_format = rd.String(db, "backup_format", false, "custom");
    if (app.database.backup_format != "custom" && app.database.backup_format != "plain") {
      rd.Fail("backup_format", "must be custom or plain, got '" + app.database.backup_format + "'");
    }
    app.database.backup_required = rd.Bool(db, "backup_required", true);
    app.database.schema_revision_query = rd.String(db, "schema_revision_query", false);
    static const std::regex kIdent("[A-Za-z_][A-Za-z0-9_$-]{0,62}");
    for (const auto& [key, value] : {std::pair{"service", app.database.service},
                                     {"name", app.database.name},
                                     {"user", app.database.user}}) {
      if (!std::regex_match(value, kIdent)) rd.Fail(key, "'" + value + "' is not a valid name");
    }
  }

  const Value& migrate = r.Dict(config, "migrate");
  Reader rm = r.Child("migrate");
  if (!migrate.empty()) {
    rm.CheckKeys(migrate, {"service", "command"});
    app.migrate.enabled = true;
    app.migrate.service = rm.String(migrate, "service", true);
    app.migrate.command = rm.String(migrate, "command", true);
  }

  const Value& health = r.Dict(config, "healthcheck");
  Reader rh = r.Child("healthcheck");
  if (!health.empty()) {
    rh.CheckKeys(health, {"url", "timeout"});
    app.healthcheck.enabled = true;
    app.healthcheck.url = rh.String(health, "url", true);
    if (!std::regex_match(app.healthcheck.url, std::regex("https?://[^\\s'\"]+"))) {
      rh.Fail("url", "'" + app.healthcheck.url + "' must be an http:// or https:// URL");
    }
    app.healthcheck.timeout = rh.Int(health, "timeout", 60, 1);
  }

  if (config.contains("templates") && !config["templates"].is_null()) {
    if (!config["templates"].is_array()) r.Fail("templates", "must be a list of {src, dest}");
    for (const auto& t : config["templates"]) {
      if (!t.is_object()) r.Fail("templates", "must be a list of {src, dest}");
      Reader rt = r.Child("templates");
      rt.CheckKeys(t, {"src", "dest"});
      TemplateSpec spec{rt.String(t, "src", true), rt.String(t, "dest", true)};
      CheckRelativePath(rt, "dest", spec.dest);
      app.templates.push_back(spec);
    }
  }
  app.auto_rollback = r.String(config, "auto_rollback", false, "full");
  if (app.auto_rollback != "full" && app.auto_rollback != "code") {
    r.Fail("auto_rollback", "must be full or code, got '" + app.auto_rollback + "'");
  }
  return app;
}

AppConfig AppConfigForHost(const std::string& name, const Value& host_vars) {
  const std::string origin =
      host_vars.contains("deployctl_inventory") && host_vars["deployctl_inventory"].is_string()
          ? host_vars["deployctl_inventory"].get<std::string>()
          : "inventory";
  std::vector<std::string> names = AppNames(host_vars);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError(SourceLocation{origin, 0, 0},
                      "unknown app '" + name + "'" + DidYouMean(name, names) +
                          (known.empty() ? "; no apps are defined (apps: in group_vars/all.yml)"
                                         : "; defined apps: " + known));
  }
  Value rendered;
  try {
    rendered = RenderValue(host_vars["apps"][name], host_vars);
  } catch (const TemplateError& e) {
    throw ConfigError(SourceLocation{origin, 0, 0}, "apps." + name + ": " + e.what());
  }
  return ParseAppConfig(name, rendered, origin);
}

}  // namespace deployctl
