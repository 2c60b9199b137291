// Stat on the managed host that follows symbolic links, as open(2) would.
#pragma once

#include <string>

#include "remote/transport.h"

namespace deployctl::remote {

// Follows links up to 8 levels. A dangling link or a loop reads as missing.
RemoteFileInfo StatFollow(Transport& host, const std::string& path);

}  // namespace deployctl::remote
