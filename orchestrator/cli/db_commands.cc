// deployctl db backup|list|restore|verify. `list` reads the database host
// directly; the others run playbooks/db.yml (the workflow is data) with
// db_action set. Names and BACKUP arguments are checked before anything is
// contacted; `restore` resolves BACKUP on the database host and asks for
// confirmation (or --yes) before the playbook runs.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "orchestrator/app/backup_naming.h"
#include "orchestrator/app/backup_store.h"
#include "orchestrator/app/lock_info.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/confirm.h"
#include "orchestrator/cli/workflow.h"
#include "orchestrator/engine/playbook.h"
#include "orchestrator/engine/runner.h"
#include "remote/connect/connect.h"

namespace deployctl {
namespace {

// The database host's connection and its view of the app.
struct DbHost {
  std::string name;
  std::unique_ptr<remote::Transport> transport;
  AppConfig app;
};

DbHost ConnectDbHost(const WorkflowTarget& target, const CommonOptions& common) {
  const Value vars = WorkflowHostVars(target, common, target.db_host);
  AppConfig app = AppConfigForHost(target.app, vars);
  return DbHost{target.db_host, remote::Connect(ConnectionSpecFor(target.db_host, vars)),
                std::move(app)};
}

// A BACKUP argument must name a backup, never a path: checked before any
// host is contacted (ResolveBackupArgument says the same on the host).
void CheckBackupArgument(const std::string& argument) {
  if (argument.empty()) throw UsageError("no backup given: name one as 'deployctl db list' shows");
  auto bad = [&](const std::string& why) {
    throw UsageError("backup '" + argument + "': " + why +
                     "; name a backup by its file name as 'deployctl db list' shows it, its "
                     "release id, or its name");
  };
  if (argument.find('/') != std::string::npos) bad("a path is not accepted");
  if (argument.find("..") != std::string::npos) bad("must not contain '..'");
  if (argument.front() == '.' || argument.front() == '-') bad("must not start with '.' or '-'");
  if (argument.size() > 200) bad("too long");
  for (char c : argument) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) bad("only letters, digits, '.', '_' and '-' are allowed");
  }
}

std::string HumanSize(unsigned long long bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  std::ostringstream out;
  if (unit == 0) {
    out << bytes << " B";
  } else {
    out << std::fixed << std::setprecision(1) << value << " " << units[unit];
  }
  return out.str();
}

std::string Ago(long long then) {
  const long long seconds = static_cast<long long>(std::time(nullptr)) - then;
  if (seconds < 0) return "in the future";
  if (seconds < 120) return std::to_string(seconds) + " s ago";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min ago";
  if (seconds < 172800) return std::to_string(seconds / 3600) + " h ago";
  return std::to_string(seconds / 86400) + " days ago";
}

// The release a backup belongs to: an automatic backup's release, else
// the release that was live when it was taken.
std::string ReleaseOf(const BackupListing& b) {
  if (b.manifest && b.manifest->release) return *b.manifest->release;
  if (b.kind == BackupKind::kAutomatic) return b.id;
  if (b.manifest && b.manifest->live_release) return *b.manifest->live_release;
  return "";
}

Value ListingJson(const BackupListing& b) {
  Value v = {{"file", b.file},
             {"kind", std::string(BackupKindName(b.kind))},
             {"created", IsoUtc(b.created())},
             {"created_epoch", b.created()},
             {"size", b.size},
             {"manifest", b.manifest_state},
             {"release", nullptr},
             {"live_release", nullptr},
             {"sha256", nullptr},
             {"schema_revision", nullptr}};
  if (!b.manifest_error.empty()) v["manifest_error"] = b.manifest_error;
  const std::string release = ReleaseOf(b);
  if (!release.empty()) v["release"] = release;
  if (b.manifest) {
    if (b.manifest->live_release) v["live_release"] = *b.manifest->live_release;
    v["sha256"] = b.manifest->sha256;
    if (b.manifest->schema_revision) v["schema_revision"] = *b.manifest->schema_revision;
  }
  return v;
}

ExitCode ListBackupsCommand(const WorkflowTarget& target, const CommonOptions& common) {
  DbHost db = ConnectDbHost(target, common);
  std::vector<BackupListing> backups;
  try {
    backups = ListBackups(*db.transport, db.app);
  } catch (const remote::UnreachableError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw Error(ExitCode::kTaskFailed, e.what());
  }
  if (common.output == "json") {
    Value list = Value::array();
    for (const auto& b : backups) list.push_back(ListingJson(b));
    Value out = {
        {"app", target.app}, {"host", db.name}, {"dir", db.app.backups_dir()}, {"backups", list}};
    std::cout << out.dump(4) << "\n";
    return ExitCode::kOk;
  }
  std::cout << db.name << ": " << db.app.backups_dir() << "\n";
  if (backups.empty()) {
    std::cout << "  no backups\n";
    return ExitCode::kOk;
  }
  size_t width = 4;
  for (const auto& b : backups) width = std::max(width, b.file.size());
  std::cout << "  " << std::left << std::setw(static_cast<int>(width) + 2) << "FILE"
            << std::setw(11) << "KIND" << std::setw(22) << "CREATED" << std::setw(11) << "SIZE"
            << std::setw(10) << "MANIFEST"
            << "RELEASE\n";
  for (const auto& b : backups) {
    const std::string release = ReleaseOf(b);
    std::cout << "  " << std::left << std::setw(static_cast<int>(width) + 2) << b.file
              << std::setw(11) << BackupKindName(b.kind) << std::setw(22) << IsoUtc(b.created())
              << std::setw(11) << HumanSize(b.size) << std::setw(10) << b.manifest_state
              << (release.empty() ? "-" : release)
              << (b.manifest_error.empty() ? "" : "  (" + b.manifest_error + ")") << "\n";
  }
  std::cout << "(manifest: ok = size and checksum recorded; missing = the backup did not "
               "complete)\n";
  return ExitCode::kOk;
}

// The backup file BACKUP means on the database host, with its listing.
BackupListing ResolveOnHost(DbHost& db, const std::string& argument) {
  std::vector<BackupListing> backups;
  try {
    backups = ListBackups(*db.transport, db.app);
  } catch (const remote::UnreachableError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw Error(ExitCode::kTaskFailed, e.what());
  }
  std::vector<std::string> files;
  for (const auto& b : backups) files.push_back(b.file);
  std::string file;
  try {
    file = ResolveBackupArgument(argument, files);
  } catch (const std::invalid_argument& e) {
    throw Error(ExitCode::kTaskFailed, std::string(e.what()) + " in " + db.app.backups_dir() +
                                           " on " + db.name + " (nothing was changed; " +
                                           "'deployctl db list app=" + db.app.name +
                                           "' shows the backups)");
  }
  for (const auto& b : backups) {
    if (b.file == file) return b;
  }
  throw Error(ExitCode::kTaskFailed, "backup '" + argument + "' not found on " + db.name);
}

// Restore overwrites a database: ask on a terminal, or require --yes.
void Confirm(const DbHost& db, const BackupListing& backup, const WorkflowOptions& workflow,
             const CommonOptions& common) {
  if (workflow.yes || common.check) return;
  const std::string what = "db restore replaces database '" + db.app.database.name + "' of app '" +
                           db.app.name + "' on " + db.name + " with " + backup.file + " (taken " +
                           IsoUtc(backup.created()) + ", " + Ago(backup.created()) + ")";
  if (!CanAskOnTerminal()) {
    throw Error(ExitCode::kRefused,
                what +
                    ": every write since then would be lost; there is no terminal to ask on, "
                    "so pass --yes to confirm");
  }
  std::cerr << what << ".\n"
            << "Every write to '" << db.app.database.name << "' since " << IsoUtc(backup.created())
            << " will be lost from the live database (the replaced database is kept as '"
            << db.app.database.name << "__before_<time>', and a safety backup of it is taken).\n";
  if (!AskYes("Restore? Type 'yes' to continue: ")) {
    throw Error(ExitCode::kRefused, "db restore cancelled: nothing was changed");
  }
}

// What a task registered (on the database host, else any host).
Value Registered(const RunSummary& summary, const std::string& db_host, const std::string& name) {
  auto pick = [&](const Value& vars) -> Value {
    if (vars.is_object() && vars.contains(name) && vars[name].is_object()) return vars[name];
    return Value(nullptr);
  };
  if (auto it = summary.registered.find(db_host); it != summary.registered.end()) {
    Value v = pick(it->second);
    if (!v.is_null()) return v;
  }
  for (const auto& [host, vars] : summary.registered) {
    Value v = pick(vars);
    if (!v.is_null()) return v;
  }
  return Value(nullptr);
}

std::string Text(const Value& v, const std::string& key, const std::string& fallback = "?") {
  if (!v.is_object() || !v.contains(key)) return fallback;
  if (v[key].is_string()) return v[key].get<std::string>();
  if (v[key].is_null()) return fallback;
  return v[key].dump();
}

}  // namespace

ExitCode RunDbCommand(const CommonOptions& common, const WorkflowOptions& workflow,
                      const DbOptions& options) {
  // Bad names and arguments stop here, before anything is contacted.
  if (options.action == "backup" && !options.name.empty()) {
    if (auto problem = BackupNameProblem(options.name)) {
      throw UsageError("backup name '" + options.name + "' " + *problem);
    }
  }
  if (options.action == "verify" || options.action == "restore") {
    CheckBackupArgument(options.backup);
  }
  WorkflowTarget target = ResolveWorkflowTarget(common);
  if (!target.first_host_config.database.enabled) {
    throw UsageError("app '" + target.app + "' has no database section (apps." + target.app +
                     ".database)");
  }
  if (options.action == "list") return ListBackupsCommand(target, common);

  Value vars = WorkflowVars(target, common, "db " + options.action);
  vars["db_action"] = options.action;
  vars["backup_name"] = options.name;
  vars["backup"] = "";
  vars["lock_wait"] = workflow.lock_wait;
  if (options.action == "verify" || options.action == "restore") {
    DbHost db = ConnectDbHost(target, common);
    const BackupListing backup = ResolveOnHost(db, options.backup);
    if (options.action == "restore") Confirm(db, backup, workflow, common);
    vars["backup"] = backup.file;
  } else if (options.action != "backup") {
    throw UsageError("unknown db action '" + options.action + "'");
  }

  const RunSummary summary = RunWorkflowPlaybook(BuiltinPlaybook("db.yml"), target, common, vars);
  if (common.output == "json" || common.check) return ExitCode::kOk;
  std::cout << "\n";
  if (options.action == "backup") {
    Value b = Registered(summary, target.db_host,
                         options.name.empty() ? "manual_backup" : "named_backup");
    std::cout << "backup " << Text(b, "file") << " of database '"
              << target.first_host_config.database.name << "' written on " << target.db_host << " ("
              << Text(b, "size") << " bytes, sha256 " << Text(b, "sha256") << ")\n";
  } else if (options.action == "verify") {
    Value s = Registered(summary, target.db_host, "scratch_restore");
    const size_t tables = s.is_object() && s.contains("tables") ? s["tables"].size() : 0;
    std::cout << "backup " << vars["backup"].get<std::string>() << " on " << target.db_host
              << " is good: size and sha256 match its manifest, it reads to the end, and it "
                 "restores into a scratch database with the recorded row counts ("
              << tables << " tables)\n";
  } else {
    Value r = Registered(summary, target.db_host, "restored");
    Value safety = Registered(summary, target.db_host, "safety");
    const bool safety_failed = !safety.is_object() || safety.value("failed", false);
    std::cout << "database '" << target.first_host_config.database.name << "' on " << target.db_host
              << " restored from " << vars["backup"].get<std::string>()
              << "; the replaced database is kept as '" << Text(r, "before_database") << "'"
              << "; safety backup " << (safety_failed ? "none" : Text(safety, "file", "none"))
              << " of it";
    if (r.is_object() && r.contains("unavailable_seconds") &&
        r["unavailable_seconds"].is_number()) {
      std::ostringstream secs;
      secs << std::fixed << std::setprecision(2) << r["unavailable_seconds"].get<double>();
      std::cout << "; app services were stopped for " << secs.str() << " s";
    }
    std::cout << "\n";
    if (safety_failed) {
      std::cerr << "warning: the safety backup of " << Text(r, "before_database") << " failed ("
                << Text(safety, "msg") << "); the database itself is kept, and it is never "
                << "dropped without one\n";
    }
    if (r.is_object() && r.contains("sql_via") && r["sql_via"].is_string()) {
      std::cout << "database-level steps ran with " << r["sql_via"].get<std::string>() << "\n";
    }
  }
  return ExitCode::kOk;
}

}  // namespace deployctl
