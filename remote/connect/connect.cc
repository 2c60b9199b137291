#include "remote/connect/connect.h"

#include <memory>

#include "remote/local/local_transport.h"
#include "remote/ssh/ssh_transport.h"

namespace deployctl::remote {

std::unique_ptr<Transport> Connect(const ConnectionSpec& spec) {
  if (spec.local) return std::make_unique<LocalTransport>(spec.inventory_name);
  // Connects, checks the host key and authenticates now, so that an
  // unreachable host is reported before any task runs.
  return std::make_unique<ssh::SshTransport>(spec);
}

}  // namespace deployctl::remote
