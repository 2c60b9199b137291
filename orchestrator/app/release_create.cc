#include "orchestrator/app/release_create.h"

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <filesystem>

#include "orchestrator/app/journal.h"
#include "orchestrator/app/release_source.h"
#include "orchestrator/app/shared_files.h"
#include "orchestrator/core/error.h"
#include "orchestrator/core/sha256.h"

namespace deployctl {
namespace {

namespace fs = std::filesystem;
using remote::CheckRan;
using remote::Command;

// A local file removed when it goes out of scope.
class LocalTemp {
 public:
  explicit LocalTemp(const std::string& suffix) {
    static std::atomic<int> counter{0};
    path_ = (fs::temp_directory_path() /
             ("deployctl-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + suffix))
                .string();
  }
  ~LocalTemp() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  LocalTemp(const LocalTemp&) = delete;
  LocalTemp& operator=(const LocalTemp&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ShortSha256OfFile(const std::string& path) {
  try {
    return Sha256HexOfFile(path).substr(0, 12);
  } catch (const std::exception& e) {
    throw TaskError(e.what());
  }
}

void Upload(remote::Transport& host, const std::string& local, const std::string& remote_path) {
  try {
    host.UploadFile(local, remote_path, 0600);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw TaskError("cannot upload " + local + " to " + remote_path + ": " + e.what());
  }
}

// Unpacks `upload` into `release`, then removes it (also when tar failed).
void Extract(remote::Transport& host, const std::string& upload, const std::string& release,
             const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {"tar", "--no-same-owner"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {upload, "-C", release});
  const remote::CommandResult unpacked = host.Run(Command::Argv(argv));
  host.Run(Command::Argv({"rm", "-f", "--", upload}));
  CheckRan(unpacked, "unpacking " + upload + " into " + release);
}

std::string GitRevision(remote::Transport& host, const std::string& release) {
  const remote::CommandResult head =
      host.Run(Command::Argv({"git", "-C", release, "rev-parse", "HEAD"}));
  CheckRan(head, "git rev-parse HEAD in " + release);
  std::string revision = head.out;
  while (!revision.empty() && (revision.back() == '\n' || revision.back() == '\r')) {
    revision.pop_back();
  }
  return revision;
}

}  // namespace

ReleasePreflight CheckReleaseCanBeCreated(remote::Transport& host, const AppConfig& app,
                                          const Value& vars, const std::string& release_id,
                                          const std::string& source_root) {
  ReleasePreflight preflight;
  if (auto problem = SourceProblem(app, source_root)) throw TaskError(*problem);
  preflight.source_path = ResolveSourcePath(app, source_root);
  if (app.source.type == "git" &&
      (app.source.url.starts_with('-') || app.source.ref.starts_with('-'))) {
    throw TaskError("apps." + app.name + ".source: url and ref must not start with '-'");
  }
  preflight.templates = RenderReleaseTemplates(app, vars, source_root, release_id);
  const std::vector<std::string> missing = CheckSharedFiles(host, app);
  if (!missing.empty()) {
    std::string joined;
    for (const auto& m : missing) joined += (joined.empty() ? "" : "; ") + m;
    throw TaskError(joined);
  }
  if (host.Stat(app.release_dir(release_id)).exists) {
    throw TaskError("release " + release_id + " already exists on " + host.host() + " (" +
                    app.release_dir(release_id) + "); a new deploy uses a new id");
  }
  return preflight;
}

CreatedRelease CreateRelease(remote::Transport& host, const AppConfig& app, const Value& vars,
                             const ReleaseRequest& request) {
  const std::string& id = request.id;
  const ReleasePreflight preflight =
      CheckReleaseCanBeCreated(host, app, vars, id, request.source_root);
  Journal journal = LoadJournal(host, app);  // unreadable: stop before changing anything
  const std::string release = app.release_dir(id);

  // The code, packed on this machine first (a failure changes nothing).
  std::optional<LocalTemp> tarball;
  std::string revision;
  if (app.source.type == "dir") {
    tarball.emplace(".tar");
    PackDirectory(preflight.source_path, tarball->path());
    revision = ShortSha256OfFile(tarball->path());
  } else if (app.source.type == "archive") {
    revision = ShortSha256OfFile(preflight.source_path);
  }

  CheckRan(host.Run(Command::Argv({"mkdir", "-p", "--", app.releases_dir(), app.meta_dir()})),
           "creating " + app.releases_dir());
  CheckRan(host.Run(Command::Argv({"mkdir", "--", release})), "creating " + release);

  // Journaled at once, so a release that fails half-way is known (and pruned).
  JournalRelease entry;
  entry.id = id;
  entry.revision = revision;
  entry.user = request.user;
  entry.created = static_cast<long long>(std::time(nullptr));
  entry.status = kPending;
  entry.backup = request.backup;
  entry.backup_skipped = request.backup_skipped;
  entry.schema_revision = request.schema_revision;
  journal.Put(entry);
  SaveJournal(host, app, journal);

  if (app.source.type == "dir") {
    const std::string upload = app.meta_dir() + "/upload-" + id + ".tar";
    Upload(host, tarball->path(), upload);
    Extract(host, upload, release, {"-xf"});
  } else if (app.source.type == "archive") {
    const ArchiveKind kind = *ArchiveKindOf(preflight.source_path);
    const std::string upload = app.meta_dir() + "/upload-" + id + "." + kind.extension;
    Upload(host, preflight.source_path, upload);
    Extract(host, upload, release, kind.flags);
  } else {
    CheckRan(host.Run(Command::Argv({"git", "clone", "--quiet", "--", app.source.url, release})),
             "git clone " + app.source.url);
    CheckRan(host.Run(Command::Argv({"git", "-C", release, "checkout", "--quiet", app.source.ref})),
             "git checkout " + app.source.ref);
    revision = GitRevision(host, release);
  }

  LinkShared(host, app, release);
  WriteRenderedFiles(host, release, preflight.templates);
  const Value metadata = {{"id", id},
                          {"app", app.name},
                          {"revision", revision},
                          {"user", entry.user},
                          {"created", entry.created},
                          {"source", SourceJson(app, preflight.source_path)}};
  host.WriteFile(release + "/.deployctl-release.json", metadata.dump(2) + "\n", 0644);
  if (revision != entry.revision) {
    journal.Find(id)->revision = revision;
    SaveJournal(host, app, journal);
  }
  return CreatedRelease{id, release, revision};
}

}  // namespace deployctl
