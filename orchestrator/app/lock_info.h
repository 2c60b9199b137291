// The app's deploy lock on a host: the directory <root>/.deployctl/lock
// (mkdir is the atomic step) and info.json inside it naming the run that
// holds it. The deploy_lock module takes and gives it back; `deployctl
// status` and `deployctl unlock` read it with ReadLockState.
#pragma once

#include <optional>
#include <string>

#include "orchestrator/app/app_config.h"
#include "orchestrator/core/value.h"
#include "remote/transport.h"

namespace deployctl {

// Who holds a lock: the run identity (deployctl_run) plus what it runs.
struct LockInfo {
  std::string token;
  std::string user;
  std::string controller;
  long long pid = 0;
  std::string started;  // ISO 8601 UTC, as deployctl_run.started
  std::string command;  // deploy, rollback, db, ...
};

// From the run's identity `deployctl_run` ({token, user, controller, pid,
// started}); `command` wins over run["command"] when not empty. Missing
// parts stay empty.
LockInfo LockInfoFromRun(const Value& run, const std::string& command);

Value LockInfoToJson(const LockInfo& info);
// nullopt when `text` is not a JSON object.
std::optional<LockInfo> ParseLockInfo(const std::string& text);

struct LockState {
  bool locked = false;
  // The holder from info.json; nullopt when locked without one (a run that
  // was killed between the mkdir and the write, or one taking the lock this
  // very moment): held by "unknown", a stale lock to clear with unlock.
  std::optional<LockInfo> holder;
  long long since = 0;  // the lock directory's mtime (epoch), for unknown holders
};

// Reads the lock of `app` on `host` (lstat and a file read; no command).
LockState ReadLockState(remote::Transport& host, const AppConfig& app);

// "alice@laptop (pid 4242, deploy since 2026-11-21T10:00:00Z, run 3fa2b0c1...)",
// or "an unknown holder (no info.json; locked since ...)".
std::string DescribeHolder(const LockState& state);

// The refusal when another run holds the lock, as the design note fixes it:
// "app 'myapp' is locked on web1 by alice@laptop (pid 4242, deploy since
// 2026-11-21T10:00:00Z, run 3fa2b0c1...); wait with --lock-wait SECONDS, or
// clear a stale lock with 'deployctl unlock app=myapp'".
std::string LockHeldMessage(const std::string& app, const std::string& host,
                            const LockState& state);

// The holder as `register:` data: the info.json fields; for an unknown
// holder {user: "unknown", unknown: true, stale: true, since}. null when
// not locked.
Value HolderToJson(const LockState& state);

// "2026-11-21T10:00:00Z".
std::string IsoUtc(long long epoch_seconds);

}  // namespace deployctl
