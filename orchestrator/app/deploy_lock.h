// Taking and giving back the app's deploy lock on one host (the directory
// <root>/.deployctl/lock; see lock_info.h for what is in it). The
// deploy_lock module and `deployctl unlock` both go through here.
#pragma once

#include <string>

#include "orchestrator/app/app_config.h"
#include "orchestrator/app/lock_info.h"
#include "remote/transport.h"

namespace deployctl {

struct LockOutcome {
  enum class Status {
    kTaken,        // this run now holds it
    kAlreadyMine,  // this run held it already
    kHeld,         // another run holds it (after waiting, if asked to)
    kWouldTake,    // --check: free now
    kWouldWait,    // --check: another run holds it now
  };
  Status status = Status::kHeld;
  LockState state;      // as last read (kTaken: held by `me`)
  std::string message;  // ready for the user; kHeld: LockHeldMessage
};

// mkdir, then info.json naming `me`. Polls about once a second for up to
// `wait_seconds` while another run holds it. In `check_mode` only reads.
// Throws TaskError when the lock directory cannot be made at all.
LockOutcome TakeLock(remote::Transport& host, const AppConfig& app, const LockInfo& me,
                     long long wait_seconds, bool check_mode);

struct UnlockOutcome {
  enum class Status {
    kNotLocked,
    kReleased,  // it was `me`'s, or `force` removed another's
    kLeft,      // held by another run and not forced: left in place
  };
  Status status = Status::kNotLocked;
  LockState before;  // the lock as found
  std::string message;
};

// Removes the lock when `me` holds it, or whoever holds it with `force`
// (`deployctl unlock`). The message names the holder ("would ..." in
// `check_mode`, where the check-mode transport records the removal). Throws
// TaskError when the directory cannot be removed.
UnlockOutcome ReleaseLock(remote::Transport& host, const AppConfig& app, const LockInfo& me,
                          bool force, bool check_mode);

}  // namespace deployctl
