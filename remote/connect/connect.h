// Opening a host's transport: the one place that knows every kind (ssh,
// local), so callers depend on this factory and not on libssh.
#pragma once

#include <memory>

#include "remote/transport.h"

namespace deployctl::remote {

// Opens the right transport for `spec` (ssh or local). Throws
// UnreachableError naming the host and the reason.
std::unique_ptr<Transport> Connect(const ConnectionSpec& spec);

}  // namespace deployctl::remote
