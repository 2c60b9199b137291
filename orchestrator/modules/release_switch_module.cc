#include "orchestrator/modules/release_switch_module.h"

#include <unistd.h>

#include <ctime>

#include "orchestrator/app/journal.h"
#include "orchestrator/app/lock_info.h"
#include "orchestrator/app/run_identity.h"
#include "orchestrator/modules/module_args.h"
#include "orchestrator/modules/remote_file.h"

namespace deployctl {
namespace {

using remote::Command;

// The temp link's suffix: the run's token, reduced to safe characters.
std::string LinkToken(const Value& vars) {
  std::string token = RunField(RunIdentity(vars), "token");
  std::erase_if(token, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); });
  if (token.size() > 32) token.resize(32);
  return token.empty() ? std::to_string(getpid()) : token;
}

std::string RevisionOf(remote::Transport& host, const std::string& release) {
  const auto text = host.ReadFile(release + "/.deployctl-release.json");
  if (!text) return "";
  const Value json = Value::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("revision") ||
      !json["revision"].is_string()) {
    return "";
  }
  return json["revision"].get<std::string>();
}

// The journal after `target` went live (or stayed live).
void RecordSwitch(remote::Transport& host, const AppConfig& app, Journal& journal,
                  const std::string& target, const std::optional<std::string>& previous,
                  const std::string& previous_status, bool moved) {
  const long long now = static_cast<long long>(std::time(nullptr));
  if (!journal.Find(target)) {  // a release the journal did not know (made by hand)
    JournalRelease adopted;
    adopted.id = target;
    adopted.revision = RevisionOf(host, app.release_dir(target));
    adopted.reason = "adopted when current was switched to it";
    journal.Put(std::move(adopted));
  }
  JournalRelease& live = *journal.Find(target);
  if (live.status != kLive || moved) {
    live.status = kLive;
    live.activated = now;
  }
  for (JournalRelease& r : journal.releases) {
    if (r.id == target) continue;
    if (previous && r.id == *previous && moved) {
      if (r.status == kLive || (previous_status == kBad && r.status != kBad))
        r.status = previous_status;
    } else if (r.status == kLive) {
      r.status = kGood;  // current is the only live release
    }
  }
}

class ReleaseSwitch : public Module {
 public:
  std::string_view name() const override { return "release_switch"; }
  std::vector<ArgSpec> args() const override {
    return {{"app", true}, {"release_id"}, {"to"}, {"previous_status"}};
  }

  ModuleResult Run(ModuleContext& ctx) const override {
    return RunGuarded([&] {
      const ModuleArgs args(name(), ctx.args);
      const AppConfig app = AppConfigForHost(args.RequiredString("app"), ctx.vars);
      const auto given = args.String("release_id");
      const bool to_previous = args.Has("to");
      if (to_previous && args.Choice("to", {"previous"}, "previous") != "previous") {
        args.FailType("to", "'previous'");
      }
      if ((given && !given->empty()) == to_previous) {
        args.Fail("give either release_id or to: previous");
      }
      const std::string previous_status = args.Choice("previous_status", {"good", "bad"}, "good");

      Journal journal = LoadJournal(ctx.host, app);
      const std::optional<std::string> current = ReadCurrentRelease(ctx.host, app);
      std::string target;
      if (to_previous) {
        const auto previous = PreviousRelease(journal, current);
        if (!previous) {
          return Failure("no previous release of " + app.name + " on " + ctx.host.host() +
                         ": the journal has no good release older than " +
                         (current ? "current (" + *current + ")" : "the newest one"));
        }
        target = *previous;
      } else {
        target = *given;
        if (!IsValidReleaseId(target)) args.FailType("release_id", "digits (UTC epoch seconds)");
      }
      const std::string dir = app.release_dir(target);
      const remote::RemoteFileInfo info = ctx.host.Stat(dir);
      // In --check the release this run would create does not exist yet.
      const bool planned = ctx.check_mode && given.has_value();
      if (!info.exists && planned) {
        ModuleResult result;
        result.changed = true;
        result.msg = "would switch " + app.name + " to release " + target;
        result.data = {{"previous", current ? Value(*current) : Value(nullptr)},
                       {"current", target}};
        return result;
      }
      if (!info.exists) {
        return Failure("release " + target + " does not exist on " + ctx.host.host() + " (" + dir +
                       ")");
      }
      if (!info.is_dir) {
        return Failure(dir + " on " + ctx.host.host() + " is not a directory");
      }

      const bool moved = !current || *current != target;
      if (moved) {
        const std::string temp = app.root + "/.current." + LinkToken(ctx.vars);
        CheckRan(ctx.host.Run(Command::Argv({"ln", "-sfn", "--", "releases/" + target, temp})),
                 "creating the link " + temp);
        const remote::CommandResult renamed =
            ctx.host.Run(Command::Argv({"mv", "-T", "--", temp, app.current_link()}));
        if (!renamed.ok()) ctx.host.Run(Command::Argv({"rm", "-f", "--", temp}));
        CheckRan(renamed, "renaming " + temp + " to " + app.current_link());
      }
      const Value before = JournalToJson(journal);
      RecordSwitch(ctx.host, app, journal, target, current, previous_status, moved);
      if (JournalToJson(journal) != before) SaveJournal(ctx.host, app, journal);

      ModuleResult result;
      result.changed = moved;
      result.msg = moved ? Say(ctx.check_mode, "switched ", "would switch ") + app.name +
                               " to release " + target + (current ? " (was " + *current + ")" : "")
                         : "current of " + app.name + " already is release " + target;
      result.data = {{"previous", current ? Value(*current) : Value(nullptr)}, {"current", target}};
      return result;
    });
  }
};

}  // namespace

const Module& ReleaseSwitchModule() {
  static const ReleaseSwitch module;
  return module;
}

}  // namespace deployctl
