// Where WriteFile puts its bytes before renaming them over the target, on
// every transport: beside the target (the same filesystem, so the rename is
// atomic), hidden, and random.
#pragma once

#include <string>

namespace deployctl::remote {

// "<dir>/.<name>.deployctl-tmp-<16 random hex digits>" for "<dir>/<name>".
std::string TempPathFor(const std::string& path);

}  // namespace deployctl::remote
