// `release_switch`: points <root>/current at releases/<id>, atomically.
//
//   release_switch: { app: myapp, release_id: "1748602032" }
//   release_switch: { app: myapp, to: previous, previous_status: bad }
//
// `to: previous` is the newest good release older than current (never a bad
// one). The target must be a directory in releases/. The switch is
// `ln -sfn releases/<id> <root>/.current.<token>` then `mv -T
// <root>/.current.<token> <root>/current`: rename(2) replaces the old link,
// so `current` is never missing or dangling. Unchanged when current already
// points there. The journal then says: target `live` (activated now), the
// release that was live `good` (or previous_status: bad, for a rollback
// away from it; a release already marked bad stays bad).
// Data: {previous: the old current id or null, current: the new one}.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

const Module& ReleaseSwitchModule();

}  // namespace deployctl
