#include "orchestrator/app/backup_store.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "orchestrator/app/compose_cli.h"

namespace deployctl {
namespace {

using remote::Command;
using remote::CommandResult;
using remote::ShellQuote;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string FirstLine(const std::string& text) {
  const auto lines = Lines(text);
  for (const auto& line : lines) {
    if (!line.empty()) return line;
  }
  return "";
}

CommandResult RunReadOnly(remote::Transport& host, std::vector<std::string> argv) {
  Command command = Command::Argv(std::move(argv));
  command.read_only = true;
  return host.Run(command);
}

}  // namespace

std::vector<std::string> BackupDirState::names() const {
  std::vector<std::string> out;
  for (const auto& entry : entries) out.push_back(entry.name);
  return out;
}

bool BackupDirState::Has(const std::string& name) const {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const BackupFileEntry& e) { return e.name == name; });
}

BackupDirState ProbeBackupDir(remote::Transport& host, const AppConfig& app) {
  Command probe = Command::Shell(
      "root=" + ShellQuote(app.root) + "\n" + "dir=" + ShellQuote(app.backups_dir()) + "\n" +
      "if [ -d \"$root/current\" ]; then printf 'current=%s\\n' \"$(readlink -- \"$root/current\" "
      "2>/dev/null)\"; fi\n"
      "if command -v zstd >/dev/null 2>&1; then echo zstd=yes; fi\n"
      "if [ -d \"$dir\" ]; then\n"
      "  cd -- \"$dir\" || exit 1\n"
      "  for f in db_backup_*; do\n"
      "    if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then printf 'entry=%s %s\\n' \"$(stat -c '%s %Y' "
      "-- "
      "\"$f\")\" \"$f\"; fi\n"
      "  done\n"
      "fi\n");
  probe.read_only = true;
  const CommandResult r = host.Run(probe);
  if (!r.ok()) {
    throw std::runtime_error("cannot read " + app.backups_dir() + " on " + host.host() + ": " +
                             FirstLine(r.err));
  }
  BackupDirState state;
  for (const auto& line : Lines(r.out)) {
    if (line.starts_with("current=")) {
      std::string target = line.substr(8);
      if (target.empty()) {
        state.release_dir = app.current_link();  // a directory, not a link
        continue;
      }
      while (target.size() > 1 && target.back() == '/') target.pop_back();
      state.release_dir = target.starts_with('/') ? target : app.root + "/" + target;
      const std::string releases = app.releases_dir() + "/";
      if (state.release_dir->starts_with(releases)) {
        const std::string id = state.release_dir->substr(releases.size());
        if (IsValidReleaseId(id)) state.live_release = id;
      }
    } else if (line == "zstd=yes") {
      state.has_zstd = true;
    } else if (line.starts_with("entry=")) {
      std::istringstream fields(line.substr(6));
      BackupFileEntry entry;
      if (!(fields >> entry.size >> entry.mtime)) continue;
      fields.get();  // the space before the name
      std::getline(fields, entry.name);
      if (!entry.name.empty()) state.entries.push_back(std::move(entry));
    }
  }
  std::sort(state.entries.begin(), state.entries.end(),
            [](const BackupFileEntry& a, const BackupFileEntry& b) { return a.name < b.name; });
  return state;
}

ServiceState ProbeDatabaseService(remote::Transport& host, const std::vector<std::string>& compose,
                                  const AppConfig& app, const std::string& release_dir) {
  std::vector<std::string> running = ComposeArgv(compose, app, release_dir);
  running.insert(running.end(), {"ps", "--services", "--filter", "status=running"});
  const CommandResult r = RunReadOnly(host, running);
  if (!r.ok()) {
    throw std::runtime_error("compose ps failed in " + release_dir + " (exit " +
                             std::to_string(r.exit_status) + "): " + FirstLine(r.err));
  }
  for (const auto& line : Lines(r.out)) {
    if (line == app.database.service) return ServiceState::kRunning;
  }
  std::vector<std::string> any = ComposeArgv(compose, app, release_dir);
  any.insert(any.end(), {"ps", "-a", "-q", app.database.service});
  const CommandResult all = RunReadOnly(host, any);
  if (!all.ok()) {
    throw std::runtime_error("compose ps failed in " + release_dir + " (exit " +
                             std::to_string(all.exit_status) + "): " + FirstLine(all.err));
  }
  return FirstLine(all.out).empty() ? ServiceState::kNoContainer : ServiceState::kStopped;
}

std::vector<BackupListing> ListBackups(remote::Transport& host, const AppConfig& app) {
  return ListBackups(host, app, ProbeBackupDir(host, app));
}

std::vector<BackupListing> ListBackups(remote::Transport& host, const AppConfig& app,
                                       const BackupDirState& dir) {
  std::vector<BackupListing> list;
  for (const auto& entry : dir.entries) {
    auto info = ParseBackupFileName(entry.name);
    if (!info) continue;
    BackupListing item;
    item.file = entry.name;
    item.kind = info->kind;
    item.id = info->id;
    item.size = entry.size;
    item.mtime = entry.mtime;
    const std::string manifest_name = ManifestFileName(entry.name);
    if (!dir.Has(manifest_name)) {
      item.manifest_state = "missing";
    } else if (auto text = host.ReadFile(app.backups_dir() + "/" + manifest_name)) {
      try {
        BackupManifest manifest = ParseManifest(*text);
        if (manifest.file != entry.name) {
          item.manifest_state = "invalid";
          item.manifest_error = "the manifest is for " + manifest.file;
        } else if (manifest.size != entry.size) {
          item.manifest_state = "invalid";
          item.manifest_error = "the file has " + std::to_string(entry.size) +
                                " bytes, the manifest says " + std::to_string(manifest.size);
        } else {
          item.manifest_state = "ok";
        }
        item.manifest = std::move(manifest);
      } catch (const std::invalid_argument& e) {
        item.manifest_state = "invalid";
        item.manifest_error = e.what();
      }
    } else {
      item.manifest_state = "missing";
    }
    list.push_back(std::move(item));
  }
  std::stable_sort(list.begin(), list.end(), [](const BackupListing& a, const BackupListing& b) {
    return a.created() != b.created() ? a.created() < b.created() : a.file < b.file;
  });
  return list;
}

}  // namespace deployctl
