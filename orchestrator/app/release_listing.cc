#include "orchestrator/app/release_listing.h"

#include <algorithm>
#include <set>

#include "orchestrator/app/journal.h"

namespace deployctl {
namespace {

using remote::Command;

Value OrNull(const std::optional<std::string>& v) {
  return v ? Value(*v) : Value(nullptr);
}
Value OrNull(const std::optional<long long>& v) {
  return v ? Value(*v) : Value(nullptr);
}

}  // namespace

std::vector<ReleaseListing> ListReleases(remote::Transport& host, const AppConfig& app) {
  const Journal journal = LoadJournal(host, app);
  const std::optional<std::string> current = ReadCurrentRelease(host, app);
  const std::optional<std::string> previous = PreviousRelease(journal, current);

  std::set<std::string> on_disk;
  if (host.Stat(app.releases_dir()).is_dir) {
    Command ls = Command::Argv({"ls", "-1A", "--", app.releases_dir()});
    ls.read_only = true;
    const remote::CommandResult listed = host.Run(ls);
    if (!listed.ok()) {
      throw JournalError("cannot list " + app.releases_dir() + " on " + host.host() + ": " +
                         listed.err);
    }
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      if (IsValidReleaseId(line)) on_disk.insert(line);
    }
  }

  std::vector<ReleaseListing> listings;
  for (const JournalRelease& r : journal.releases) {
    ReleaseListing l;
    l.id = r.id;
    l.status = r.status;
    l.created = r.created;
    l.activated = r.activated;
    l.revision = r.revision;
    l.user = r.user;
    l.backup = r.backup;
    l.backup_skipped = r.backup_skipped;
    l.schema_revision = r.schema_revision;
    l.reason = r.reason;
    listings.push_back(std::move(l));
  }
  for (const std::string& id : on_disk) {
    if (journal.Find(id)) continue;
    ReleaseListing l;
    l.id = id;
    l.status = "unknown";
    listings.push_back(std::move(l));
  }
  if (current && !journal.Find(*current) && !on_disk.contains(*current)) {
    ReleaseListing l;  // current points at a release that is gone
    l.id = *current;
    l.status = "missing";
    listings.push_back(std::move(l));
  }
  for (ReleaseListing& l : listings) {
    l.on_disk = on_disk.contains(l.id);
    l.current = current && l.id == *current;
    l.previous = previous && l.id == *previous;
  }
  std::sort(listings.begin(), listings.end(), [](const ReleaseListing& a, const ReleaseListing& b) {
    return ReleaseIdLess(b.id, a.id);
  });
  return listings;
}

Value ReleaseListingToJson(const ReleaseListing& l) {
  return Value{{"id", l.id},
               {"status", l.status},
               {"current", l.current},
               {"previous", l.previous},
               {"on_disk", l.on_disk},
               {"created", l.created},
               {"activated", OrNull(l.activated)},
               {"revision", l.revision},
               {"user", l.user},
               {"backup", OrNull(l.backup)},
               {"backup_skipped", OrNull(l.backup_skipped)},
               {"schema_revision", OrNull(l.schema_revision)},
               {"reason", OrNull(l.reason)}};
}

}  // namespace deployctl
