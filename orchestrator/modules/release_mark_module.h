// `release_mark`: sets a release's status in the journal (a failed deploy
// marks its release bad), with the reason, and optionally the journal
// fields known only later (schema_revision after migrations, backup).
//
//   release_mark: { app: myapp, release_id: "1748602032", status: bad,
//                   reason: "health check failed" }
//
// status: good, bad or pending (live follows `current`: release_switch
// sets it). A release the journal does not know is reported (ok,
// unchanged, data found: false): a deploy that failed before its release
// was created has nothing to mark. Data: {release_id, status, previous_status, found}.
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

const Module& ReleaseMarkModule();

}  // namespace deployctl
