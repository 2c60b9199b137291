// `deploy_history`: appends one JSON line to <root>/.deployctl/history.jsonl
// on the host:
//   {time, user, controller, event, app, release, backup, result, message, token}
// time is ISO 8601 UTC; user, controller and token come from the run's
// identity (deployctl_run); the message is redacted.
//
//   deploy_history: { app: myapp, event: deploy, result: ok,
//                     release_id: "1748602032", backup: "{{ backup.file }}" }
//
// event: a word (deploy, rollback, restore, ...); result: ok, failed or
// rolled_back (or another word). The append is one `sh -c 'mkdir -p -- <meta>
// && printf "%s\n" <line> >> <history>'`. Data: {line} (the record).
#pragma once

#include "orchestrator/modules/module.h"

namespace deployctl {

const Module& DeployHistoryModule();

}  // namespace deployctl
