// `deploy_lock`: the app's deploy lock on one host (see
// orchestrator/app/lock_info.h and docs/deploy.md).
//
//   deploy_lock: { app: myapp, state: locked, wait: 30, command: deploy }
//
// state: locked (default) takes it: `mkdir -p <root>/.deployctl && mkdir
// <root>/.deployctl/lock`, the second mkdir being the atomic test, then
// info.json with the run's identity (deployctl_run) and `command`. Held by
// this run's token: ok, unchanged. Held by another: with wait > 0 it retries
// every second until free or `wait` seconds passed; then it fails with
// refused=true and a message naming the holder. unlocked gives it back
// when this run holds it (or with force: true, whoever does: `deployctl
// unlock`); a lock held by another run is left alone (ok, unchanged).
// query only reads. Data: {locked, holder (info.json fields, or
// {user: unknown, stale: true} for a lock without info.json, or null)};
// unlocked also returns previous_holder. In --check no lock is taken.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

const Module& DeployLockModule();

}  // namespace deployctl
