// Waiting on a host for something to come up (the database accepting
// connections before migrations or a schema read), in one round trip.
#pragma once

#include <string>

namespace deployctl {

// The host-side wait loop: `sh -c <script> deployctl-wait TIMEOUT CMD...`
// runs CMD about once a second until it exits 0 or TIMEOUT seconds passed.
// Prints attempts= and elapsed=; on timeout exits 1 with CMD's last output
// on stderr.
const std::string& WaitUntilSucceedsScript();

}  // namespace deployctl
