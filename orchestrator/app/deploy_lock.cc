#include "orchestrator/app/deploy_lock.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace deployctl {
namespace {

using remote::Command;
using remote::ShellQuote;

bool HeldBy(const LockState& state, const LockInfo& me) {
  return state.holder && !me.token.empty() && state.holder->token == me.token;
}

}  // namespace

LockOutcome TakeLock(remote::Transport& host, const AppConfig& app, const LockInfo& me,
                     long long wait_seconds, bool check_mode) {
  using Status = LockOutcome::Status;
  LockOutcome outcome;
  if (check_mode) {  // --check takes no lock: say what a run would find
    outcome.state = ReadLockState(host, app);
    if (!outcome.state.locked) {
      outcome.status = Status::kWouldTake;
      outcome.message = "would take the lock of " + app.name;
    } else if (HeldBy(outcome.state, me)) {
      outcome.status = Status::kAlreadyMine;
      outcome.message = "this run holds the lock of " + app.name;
    } else {
      outcome.status = Status::kWouldWait;
      outcome.message =
          "would wait for the lock: " + LockHeldMessage(app.name, host.host(), outcome.state);
    }
    return outcome;
  }
  const std::string info_path = app.lock_dir() + "/info.json";
  const Command take = Command::Shell("mkdir -p -- " + ShellQuote(app.meta_dir()) +
                                      " && mkdir -- " + ShellQuote(app.lock_dir()));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  bool gone_once = false;
  for (;;) {
    const remote::CommandResult made = host.Run(take);
    if (made.ok()) {
      try {
        host.WriteFile(info_path, LockInfoToJson(me).dump() + "\n", 0644);
      } catch (...) {
        host.Run(Command::Argv({"rm", "-rf", "--", app.lock_dir()}));
        throw;
      }
      outcome.status = Status::kTaken;
      outcome.state.locked = true;
      outcome.state.holder = me;
      outcome.message = "locked " + app.name + " on " + host.host();
      return outcome;
    }
    outcome.state = ReadLockState(host, app);
    if (!outcome.state.locked) {
      // mkdir failed and there is no lock: released in between, or the
      // directory cannot be made at all (permissions).
      if (gone_once) remote::CheckRan(made, "creating the lock directory " + app.lock_dir());
      gone_once = true;
      continue;
    }
    if (HeldBy(outcome.state, me)) {
      outcome.status = Status::kAlreadyMine;
      outcome.message = "this run already holds the lock of " + app.name;
      return outcome;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      outcome.status = Status::kHeld;
      outcome.message = LockHeldMessage(app.name, host.host(), outcome.state);
      return outcome;
    }
    // About once a second, and once more at the deadline.
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(1), deadline - now));
  }
}

UnlockOutcome ReleaseLock(remote::Transport& host, const AppConfig& app, const LockInfo& me,
                          bool force, bool check_mode) {
  using Status = UnlockOutcome::Status;
  UnlockOutcome outcome;
  outcome.before = ReadLockState(host, app);
  if (!outcome.before.locked) {
    outcome.status = Status::kNotLocked;
    outcome.message = app.name + " is not locked on " + host.host();
    return outcome;
  }
  const bool mine = HeldBy(outcome.before, me);
  if (!mine && !force) {
    outcome.status = Status::kLeft;
    outcome.message = "the lock of " + app.name + " is held by " + DescribeHolder(outcome.before) +
                      ", not by this run: left in place";
    return outcome;
  }
  remote::CheckRan(host.Run(Command::Argv({"rm", "-rf", "--", app.lock_dir()})),
                   "removing the lock " + app.lock_dir());
  outcome.status = Status::kReleased;
  const std::string would = check_mode ? "would " : "";
  outcome.message = mine ? would + (check_mode ? "unlock " : "unlocked ") + app.name
                         : would + (check_mode ? "remove" : "removed") + " the lock of " +
                               app.name + " held by " + DescribeHolder(outcome.before);
  return outcome;
}

}  // namespace deployctl
